import JSON
import Testing

/// Parses `text`, returning the error instead of throwing it; `nil` means the parse succeeded.
func parseError(_ text: String, limits: JSONLimits = .default) -> JSONError? {
    parseError(Array(text.utf8), limits: limits)
}

/// Parses `bytes`, returning the error instead of throwing it; `nil` means the parse succeeded.
func parseError(_ bytes: [UInt8], limits: JSONLimits = .default) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Runs `body`, returning the field error it throws, or `nil` if it succeeds. Other errors fail the test.
func fieldError<T>(_ body: () throws -> T) -> JSONFieldError? {
    do {
        _ = try body()
        return nil
    } catch let error as JSONFieldError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The bytes of `text` followed by `bytes`, followed by `suffix`: builds inputs with arbitrary bytes inside.
func bytes(_ prefix: String, _ middle: [UInt8], _ suffix: String) -> [UInt8] {
    Array(prefix.utf8) + middle + Array(suffix.utf8)
}
