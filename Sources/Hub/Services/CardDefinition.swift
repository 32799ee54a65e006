import JSON

/// The kinds of card a group can hold.
public enum CardType: String, Sendable, CaseIterable {
    /// 通知: a notice, optionally to be confirmed by every member.
    case notice
    /// 问卷: ordered questions.
    case questionnaire
    /// 投票: a vote over options.
    case vote
    /// 签到: a check-in in a time window, optionally with a code and a location.
    case checkin
}

/// A validated card definition. Decoded from the publisher's JSON, re-encoded canonically for storage.
struct CardDefinition: Sendable, Equatable {
    var type: CardType
    var title: String
    var deadline: Timestamp?
    var anonymous = false
    var allowEdit = false
    // notice
    var body = ""
    var attachments: [String] = []
    var mustConfirm = false
    // questionnaire
    var description = ""
    var questions: [Question] = []
    // vote
    var options: [String] = []
    var multiple = false
    var maxChoices = 1
    var resultsVisibility = ResultsVisibility.afterVote
    // check-in
    var startsAt: Timestamp = 0
    var endsAt: Timestamp = 0
    var lateUntil: Timestamp?
    var code: String?
    var location: Place?

    struct Question: Sendable, Equatable {
        enum Kind: String, Sendable, CaseIterable {
            case single
            case multiple
            case text
            case rating
        }

        var kind: Kind
        var title: String
        var options: [String] = []
        var min = 1
        var max = 1
        var required = true
        var maxLength = 500
        var scale = 5
    }

    enum ResultsVisibility: String, Sendable, CaseIterable {
        /// Members see results at any time.
        case always
        /// Members see results once they voted.
        case afterVote
        /// Members see results once the card is closed.
        case afterClose
    }

    /// A point with a radius, in degrees and metres.
    struct Place: Sendable, Equatable {
        var latitude: Double
        var longitude: Double
        var radius: Double
    }

    /// When responses stop being accepted (deadline, or the late window of a check-in).
    var closesAt: Timestamp? {
        type == .checkin ? (lateUntil ?? endsAt) : deadline
    }
}

extension CardDefinition {
    /// Validates a `card` object from `card.publish`. With `now` nil (a stored card), times are not checked
    /// against the clock.
    static func decode(_ value: JSONValue, now: Timestamp?) throws(HubError) -> CardDefinition {
        let clock = now ?? Int64.min
        do throws(JSONFieldError) {
            var fields = try JSONFields(value, path: "card")
            guard let type = CardType(rawValue: try fields.string("type", maxBytes: 32)) else {
                throw field("card.type", "must be one of notice, questionnaire, vote, checkin")
            }
            var card = CardDefinition(type: type, title: try text(&fields, "title", 100, required: true))
            card.deadline = try fields.optionalInt("deadline", in: (clock == .min ? .min : clock + 1)...Int64.max)
            card.allowEdit = try fields.optionalBool("allowEdit") ?? false
            switch type {
            case .notice:
                card.body = try text(&fields, "body", 5000, required: false)
                card.attachments =
                    try fields.optionalStringArray("attachments", maxCount: 20, maxBytes: 128, nonEmpty: true) ?? []
                card.mustConfirm = try fields.optionalBool("mustConfirm") ?? false
            case .questionnaire:
                card.description = try text(&fields, "description", 2000, required: false)
                card.anonymous = try fields.optionalBool("anonymous") ?? false
                guard case .array(let list) = try fields.value("questions"), (1...50).contains(list.count) else {
                    throw field("card.questions", "must be an array of 1 to 50 questions")
                }
                for (index, item) in list.enumerated() {
                    card.questions.append(try question(item, path: "card.questions[\(index)]"))
                }
            case .vote:
                card.anonymous = try fields.optionalBool("anonymous") ?? false
                card.options = try options(&fields, "options")
                card.multiple = try fields.optionalBool("multiple") ?? false
                card.maxChoices =
                    card.multiple
                    ? try fields.optionalInt("maxChoices", in: 1...card.options.count) ?? card.options.count : 1
                if let visibility = try fields.optionalString("resultsVisibility", maxBytes: 16) {
                    guard let parsed = ResultsVisibility(rawValue: visibility) else {
                        throw field("card.resultsVisibility", "must be one of always, afterVote, afterClose")
                    }
                    card.resultsVisibility = parsed
                }
            case .checkin:
                card.startsAt = try fields.optionalInt("startsAt", in: 0...Int64.max) ?? max(0, clock)
                card.endsAt = try fields.int("endsAt", in: (max(card.startsAt, clock) + 1)...Int64.max)
                card.lateUntil = try fields.optionalInt("lateUntil", in: card.endsAt...Int64.max)
                if let code = try fields.optionalString("code", maxBytes: 6) {
                    guard (4...6).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                        throw field("card.code", "must be 4 to 6 digits")
                    }
                    card.code = code
                }
                if var place = try fields.optionalObject("location") {
                    card.location = Place(
                        latitude: try place.double("latitude", in: -90...90),
                        longitude: try place.double("longitude", in: -180...180),
                        radius: try place.double("radius", in: 10...5000)
                    )
                    try place.rejectUnknownFields()
                }
                card.deadline = nil
            }
            fields.ignore("requiresCode")
            try fields.rejectUnknownFields()
            if card.anonymous && card.allowEdit {
                throw field(
                    "card.allowEdit",
                    "cannot be combined with anonymous answers (they are not linked to anyone)"
                )
            }
            return card
        } catch {
            throw .invalid(error.message)
        }
    }

    private static func field(_ path: String, _ problem: String) -> JSONFieldError {
        JSONFieldError(code: JSONFieldError.Code.outOfRange, field: path, message: "Field '\(path)' \(problem).")
    }

    private static func text(
        _ fields: inout JSONFields,
        _ key: String,
        _ maxCharacters: Int,
        required: Bool
    ) throws(JSONFieldError) -> String {
        let value =
            required
            ? try fields.string(key, maxBytes: maxCharacters * 4, nonEmpty: true)
            : try fields.optionalString(key, maxBytes: maxCharacters * 4) ?? ""
        guard value.count <= maxCharacters else {
            throw field(fields.fieldPath(key), "has more than \(maxCharacters) characters")
        }
        return value
    }

    private static func options(_ fields: inout JSONFields, _ key: String) throws(JSONFieldError) -> [String] {
        let options = try fields.stringArray(key, maxCount: 50, maxBytes: 400, nonEmpty: true)
        guard options.count >= 2 else { throw field(fields.fieldPath(key), "needs at least 2 options") }
        guard Set(options).count == options.count else { throw field(fields.fieldPath(key), "has duplicate options") }
        return options
    }

    private static func question(_ value: JSONValue, path: String) throws(JSONFieldError) -> Question {
        var fields = try JSONFields(value, path: path)
        guard let kind = Question.Kind(rawValue: try fields.string("kind", maxBytes: 16)) else {
            throw field(path + ".kind", "must be one of single, multiple, text, rating")
        }
        var question = Question(kind: kind, title: try text(&fields, "title", 200, required: true))
        question.required = try fields.optionalBool("required") ?? true
        switch kind {
        case .single:
            question.options = try options(&fields, "options")
        case .multiple:
            question.options = try options(&fields, "options")
            question.min = try fields.optionalInt("min", in: 0...question.options.count) ?? 1
            question.max =
                try fields.optionalInt("max", in: max(1, question.min)...question.options.count)
                ?? question.options.count
        case .text:
            question.maxLength = try fields.optionalInt("maxLength", in: 1...2000) ?? 500
        case .rating:
            question.scale = try fields.optionalInt("scale", in: 2...10) ?? 5
        }
        try fields.rejectUnknownFields()
        return question
    }
}

extension CardDefinition {
    /// The definition's fields (the same shape `decode` reads). The check-in code is a secret: members get it from
    /// the counselor in the room, not from the card.
    func write(to writer: inout JSONWriter, includeSecrets: Bool) {
        writer.key("type")
        writer.string(type.rawValue)
        writer.key("title")
        writer.string(title)
        if let deadline {
            writer.key("deadline")
            writer.int(deadline)
        }
        if allowEdit {
            writer.key("allowEdit")
            writer.bool(true)
        }
        switch type {
        case .notice:
            if !body.isEmpty {
                writer.key("body")
                writer.string(body)
            }
            if !attachments.isEmpty { writer.users("attachments", attachments) }
            writer.key("mustConfirm")
            writer.bool(mustConfirm)
        case .questionnaire:
            if !description.isEmpty {
                writer.key("description")
                writer.string(description)
            }
            writer.key("anonymous")
            writer.bool(anonymous)
            writer.key("questions")
            writer.beginArray()
            for question in questions {
                writer.beginObject()
                writer.key("kind")
                writer.string(question.kind.rawValue)
                writer.key("title")
                writer.string(question.title)
                writer.key("required")
                writer.bool(question.required)
                switch question.kind {
                case .single:
                    writer.users("options", question.options)
                case .multiple:
                    writer.users("options", question.options)
                    writer.key("min")
                    writer.int(question.min)
                    writer.key("max")
                    writer.int(question.max)
                case .text:
                    writer.key("maxLength")
                    writer.int(question.maxLength)
                case .rating:
                    writer.key("scale")
                    writer.int(question.scale)
                }
                writer.endObject()
            }
            writer.endArray()
        case .vote:
            writer.key("anonymous")
            writer.bool(anonymous)
            writer.users("options", options)
            writer.key("multiple")
            writer.bool(multiple)
            if multiple {
                writer.key("maxChoices")
                writer.int(maxChoices)
            }
            writer.key("resultsVisibility")
            writer.string(resultsVisibility.rawValue)
        case .checkin:
            writer.key("startsAt")
            writer.int(startsAt)
            writer.key("endsAt")
            writer.int(endsAt)
            if let lateUntil {
                writer.key("lateUntil")
                writer.int(lateUntil)
            }
            if let code, includeSecrets {
                writer.key("code")
                writer.string(code)
            }
            if code != nil {
                writer.key("requiresCode")
                writer.bool(true)
            }
            if let location {
                writer.key("location")
                writer.beginObject()
                writer.key("latitude")
                writer.double(location.latitude)
                writer.key("longitude")
                writer.double(location.longitude)
                writer.key("radius")
                writer.double(location.radius)
                writer.endObject()
            }
        }
    }
}
