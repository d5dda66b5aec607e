import PinterestCAPI

/// Runs `body` with a fake Pinterest that is started before and stopped after, even when `body` throws.
public func withFakePinterest<Result>(
    isolation: isolated (any Actor)? = #isolation,
    validator: ConversionEventValidator = .pinterest,
    _ body: (FakePinterest) async throws -> Result
) async throws -> Result {
    let fake = try await FakePinterest.start(validator: validator)
    do {
        let result = try await body(fake)
        await fake.stop()
        return result
    } catch {
        await fake.stop()
        throw error
    }
}
