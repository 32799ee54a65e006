import Glibc
import JSON

/// A member's validated answer to a card.
enum CardAnswer: Sendable, Equatable {
    /// Notice confirmed.
    case confirm
    /// Vote: option indexes, ascending.
    case choices([Int])
    /// Questionnaire: one value per question (nil for a skipped optional question).
    case answers([QuestionAnswer?])
    /// Check-in: where the member was, when a location was required.
    case checkin(distance: Double?)

    enum QuestionAnswer: Sendable, Equatable {
        case option(Int)
        case options([Int])
        case text(String)
        case rating(Int)
    }
}

extension CardAnswer {
    /// Validates a `response` object against `card`; `now` decides lateness (check-ins).
    static func decode(_ value: JSONValue, for card: CardDefinition) throws(HubError) -> CardAnswer {
        do throws(JSONFieldError) {
            var fields = try JSONFields(value, path: "response")
            let answer: CardAnswer
            switch card.type {
            case .notice:
                guard card.mustConfirm else {
                    throw problem("response", "This notice does not ask for confirmation.")
                }
                _ = try fields.optionalBool("confirm")
                answer = .confirm
            case .vote:
                let choices = try fields.intArray(
                    "choices",
                    maxCount: card.options.count,
                    in: 0...Int64(card.options.count - 1)
                )
                let unique = Array(Set(choices.map(Int.init))).sorted()
                guard unique.count == choices.count else {
                    throw problem("response.choices", "Choose each option at most once.")
                }
                guard (1...card.maxChoices).contains(unique.count) else {
                    throw problem("response.choices", "Choose 1 to \(card.maxChoices) option(s).")
                }
                answer = .choices(unique)
            case .questionnaire:
                guard case .array(let values) = try fields.value("answers"), values.count == card.questions.count else {
                    throw problem(
                        "response.answers",
                        "Give one answer (or null) per question, \(card.questions.count) in all."
                    )
                }
                var answers: [QuestionAnswer?] = []
                for (index, (question, value)) in zip(card.questions, values).enumerated() {
                    answers.append(try Self.answer(value, to: question, path: "response.answers[\(index)]"))
                }
                answer = .answers(answers)
            case .checkin:
                // Code and place are checked by the caller, which knows the secret and the clock.
                _ = try fields.optionalString("code", maxBytes: 6)
                if var location = try fields.optionalObject("location") {
                    _ = try location.optionalDouble("latitude")
                    _ = try location.optionalDouble("longitude")
                    try location.rejectUnknownFields()
                }
                answer = .checkin(distance: nil)
            }
            try fields.rejectUnknownFields()
            return answer
        } catch {
            throw .invalid(error.message)
        }
    }

    private static func problem(_ field: String, _ message: String) -> JSONFieldError {
        JSONFieldError(code: JSONFieldError.Code.outOfRange, field: field, message: message)
    }

    private static func answer(
        _ value: JSONValue,
        to question: CardDefinition.Question,
        path: String
    ) throws(JSONFieldError) -> QuestionAnswer? {
        if value == .null {
            guard !question.required else { throw problem(path, "Question '\(question.title)' needs an answer.") }
            return nil
        }
        switch question.kind {
        case .single:
            guard case .int(let index) = value, (0..<Int64(question.options.count)).contains(index) else {
                throw problem(path, "Answer with the index of one option (0 to \(question.options.count - 1)).")
            }
            return .option(Int(index))
        case .multiple:
            guard case .array(let items) = value else { throw problem(path, "Answer with an array of option indexes.") }
            var indexes: [Int] = []
            for item in items {
                guard case .int(let index) = item, (0..<Int64(question.options.count)).contains(index) else {
                    throw problem(path, "Option indexes run from 0 to \(question.options.count - 1).")
                }
                indexes.append(Int(index))
            }
            let unique = Array(Set(indexes)).sorted()
            guard unique.count == indexes.count, (question.min...question.max).contains(unique.count) else {
                throw problem(path, "Choose \(question.min) to \(question.max) different options.")
            }
            return .options(unique)
        case .text:
            guard case .string(let text) = value, !text.isEmpty, text.count <= question.maxLength else {
                throw problem(path, "Answer with 1 to \(question.maxLength) characters.")
            }
            return .text(text)
        case .rating:
            guard case .int(let rating) = value, (1...Int64(question.scale)).contains(rating) else {
                throw problem(path, "Rate from 1 to \(question.scale).")
            }
            return .rating(Int(rating))
        }
    }

    /// The answer as stored and shown.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .confirm:
            writer.key("confirm")
            writer.bool(true)
        case .choices(let choices):
            writer.key("choices")
            writer.beginArray()
            for choice in choices { writer.int(choice) }
            writer.endArray()
        case .answers(let answers):
            writer.key("answers")
            writer.beginArray()
            for answer in answers {
                switch answer {
                case nil: writer.null()
                case .option(let index): writer.int(index)
                case .options(let indexes):
                    writer.beginArray()
                    for index in indexes { writer.int(index) }
                    writer.endArray()
                case .text(let text): writer.string(text)
                case .rating(let rating): writer.int(rating)
                }
            }
            writer.endArray()
        case .checkin(let distance):
            if let distance {
                writer.key("distance")
                writer.double((distance * 10).rounded() / 10)
            }
        }
    }

    /// Reads a stored answer (trusted: written by `write`).
    static func stored(_ value: JSONValue, for card: CardDefinition) -> CardAnswer? {
        switch card.type {
        case .notice: return .confirm
        case .vote: return .choices(value["choices"]?.arrayValue?.compactMap(\.intValue) ?? [])
        case .checkin: return .checkin(distance: value["distance"]?.doubleValue)
        case .questionnaire:
            guard let items = value["answers"]?.arrayValue, items.count == card.questions.count else { return nil }
            return .answers(
                zip(card.questions, items).map { question, item in
                    switch (question.kind, item) {
                    case (.single, .int(let index)): return .option(Int(index))
                    case (.rating, .int(let rating)): return .rating(Int(rating))
                    case (.multiple, .array(let list)): return .options(list.compactMap(\.intValue))
                    case (.text, .string(let text)): return .text(text)
                    default: return nil
                    }
                }
            )
        }
    }
}

/// Great-circle distance in metres (haversine; good to a few metres at campus scale).
func distance(latitude a: Double, longitude b: Double, toLatitude c: Double, longitude d: Double) -> Double {
    let radians = Double.pi / 180
    let dLat = (c - a) * radians
    let dLon = (d - b) * radians
    let h = sin(dLat / 2) * sin(dLat / 2) + cos(a * radians) * cos(c * radians) * sin(dLon / 2) * sin(dLon / 2)
    return 2 * 6_371_000 * asin(min(1, sqrt(h)))
}
