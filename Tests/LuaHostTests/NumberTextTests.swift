import LuaHost
import Testing

/// The sandbox's `tostring` writes numbers without snprintf; its text must be Lua's own, which
/// `string.format("%s", x)` still makes (through `luaL_tolstring`).
@Suite struct NumberTextTests {
    let fixture: Fixture
    init() throws {
        fixture = try Fixture(limits: LuaLimits(
            instructionsPerInvocation: 1_000_000_000, timePerInvocation: .seconds(120), memoryPerVM: 64 << 20))
    }

    /// Returns how many numbers it compared, or raises at the first that differs.
    private static let compare = """
        local checked = 0
        local function check(x)
          local got, want = tostring(x), string.format("%s", x)
          if got ~= want then
            error(string.format("tostring(%a) gave %s, Lua gives %s", x, got, want))
          end
          checked = checked + 1
        end
        local function bits(x) return string.unpack("<i8", string.pack("<d", x)) end
        local function float(b) return string.unpack("<d", string.pack("<i8", b)) end
        """

    @Test func decimalsATagPrintsReadAsLuaWritesThem() throws {
        let results = try fixture.run("""
            return function()
              \(Self.compare)
              for i = -30000, 30000 do
                check(i / 100); check(i * 0.01); check(i / 1000 + 0.5); check(i / 7); check(i * 1.1)
                check(i / 3 * 1e-3); check(i * 123456.789)
              end
              return checked
            end
            """)
        #expect(results == [.int(420_007)])
    }

    @Test func floatsOfEveryMagnitudeAndTheirNeighboursReadAsLuaWritesThem() throws {
        let results = try fixture.run("""
            return function()
              \(Self.compare)
              local seed = 0x2545F4914F6CDD1D
              for _ = 1, 150000 do
                seed = seed * 6364136223846793005 + 1442695040888963407  -- wraps around
                check(float(seed))                                       -- any bit pattern
                local m = (seed >> 11) / 2^53
                local x = m * 10.0 ^ ((seed & 31) - 8)                   -- 1e-8 .. 1e23
                check(x); check(-x)
                local d = 10.0 ^ ((seed >> 5) % 16)                      -- x rounded to 0..15 decimals
                check(math.floor(x * d + 0.5) / d)
                check(float(bits(x) + 1)); check(float(bits(x) - 1))
              end
              for e = -6, 16 do                                          -- powers of ten, nines, and neighbours
                for _, v in ipairs({10.0 ^ e, 10.0 ^ e - 10.0 ^ (e - 14), 9.5 * 10.0 ^ e, 99999999999999 * 10.0 ^ (e - 13)}) do
                  for delta = -4, 4 do check(float(bits(v) + delta)) end
                end
              end
              for _, v in ipairs({0.0, -0.0, 1 / 0, -1 / 0, 0 / 0, 2^53, 2^53 + 1, 2^63, 1e-4, 1e13, 1e14, 5e-324,
                                  1.7976931348623157e308, 0.1, 0.2, 0.3, 0.1 + 0.2, 72.39, 19.99, 32.41}) do
                check(v); check(-v)
              end
              return checked
            end
            """)
        let expected = 150_000 * 6 + 23 * 4 * 9 + 20 * 2
        #expect(results == [.int(Int64(expected))])
    }

    @Test func integersReadAsLuaWritesThem() throws {
        let results = try fixture.run("""
            return function()
              \(Self.compare)
              for i = -1000, 1000 do check(i) end
              local seed = 7
              for _ = 1, 50000 do
                seed = seed * 6364136223846793005 + 1442695040888963407
                check(seed); check(seed >> (seed & 63))
              end
              check(math.maxinteger); check(math.mininteger); check(math.mininteger + 1)
              return checked, tostring(-0), tostring(math.mininteger)
            end
            """)
        #expect(results == [.int(2_001 + 100_000 + 3), "0", "-9223372036854775808"])
    }

    @Test func otherValuesKeepLuasText() throws {
        let results = try fixture.run("""
            return function()
              local t = setmetatable({}, {__tostring = function() return "custom" end})
              return tostring("text"), tostring(true), tostring(nil), tostring(t), tostring(2.5), tostring(3.0),
                pcall(tostring)
            end
            """)
        #expect(results.prefix(7) == ["text", "true", "nil", "custom", "2.5", "3.0", .bool(false)])
        fixture.expectHealthy()
    }
}
