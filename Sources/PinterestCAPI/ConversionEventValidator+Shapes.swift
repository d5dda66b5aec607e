import TagdJSON

/// `encodeEventIfValid` for flat events, through the shapes of events already seen to conform: an event of
/// a known shape is checked by rerunning only the checks that depend on its values, then written; an event
/// of a new shape is checked in full, and its shape kept when it conforms. A test holds this to the full walk,
/// verdict and bytes, over many events of repeated and varied shapes.
extension ConversionEventValidator {
    public func encodeEventIfValid(_ event: FlatJSON.Value) -> [UInt8]? {
        var out = JSONOutput(capacity: 2_048)
        guard encodeEventIfValid(event, into: &out) else { return nil }
        return out.bytes
    }

    /// As `encodeEventIfValid(_:)`, appending to `out`: true when the event conforms; when it does not, `out`
    /// holds a partial write to drop.
    public func encodeEventIfValid(_ event: FlatJSON.Value, into out: inout JSONOutput) -> Bool {
        let known = shapes.shape(of: event)
        if let known, passes(known.checks, event) {
            known.shape.write(event, to: &out)
            return true
        }
        // A new shape, or a known one whose value checks fail: this walk finds the verdict anew (a known shape is
        // not kept twice, even when its event conforms another way).
        var recorder = ShapeCheckRecorder(root: event.index)
        guard conforms(event, to: eventSchema, recording: &recorder) else { return false }
        if known == nil, recorder.shapeDecides, let shape = EventShape(of: event, checks: recorder.checks) {
            shapes.remember(shape, of: event)
        }
        event.write(to: &out)
        return true
    }

    func passes(_ checks: [EventShape.Check], _ event: FlatJSON.Value) -> Bool {
        for check in checks {
            switch check {
            case .conforms(let offset, let node):
                if !conforms(event.at(event.index + offset), to: node) { return false }
            case .sha256Hex(let offset):
                if event.at(event.index + offset).withUTF8(Self.isSHA256Hex) != true { return false }
            }
        }
        return true
    }
}
