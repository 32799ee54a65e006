/// Parses `yizhan serve` arguments: `--config FILE` first, then flags from ``Settings`` override the file.
public enum CommandLineOptions {
    /// A usage error, printed with the help text.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// Builds the configuration from `arguments` (without the program and subcommand names).
    /// `readFile` loads the config file's text (injected so tests need no files).
    public static func configuration(
        from arguments: [String],
        readFile: (String) throws -> String
    ) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        var flags: [(flag: String, value: String?)] = []
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                inlineValue = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            index += 1
            if argument == "--config" {
                guard let path = inlineValue ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw Error(description: "--config needs a file")
                }
                if inlineValue == nil { index += 1 }
                let file: ConfigFile
                do {
                    file = try ConfigFile(parsing: try readFile(path))
                } catch let error as ConfigFile.Error {
                    throw Error(description: "\(path): \(error)")
                }
                do {
                    try Settings.apply(file, to: &configuration)
                } catch {
                    throw Error(description: "\(path): \(error)")
                }
                continue
            }
            guard let setting = Settings.all.first(where: { $0.flag == argument }) else {
                throw Error(description: "unknown option '\(argument)'")
            }
            if setting.type == "bool" {
                flags.append((argument, inlineValue ?? "true"))
            } else {
                guard let value = inlineValue ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw Error(description: "\(argument) needs a value")
                }
                if inlineValue == nil { index += 1 }
                flags.append((argument, value))
            }
        }
        // Flags win over the file wherever they appear on the line.
        for (flag, text) in flags {
            let setting = Settings.all.first { $0.flag == flag }!
            let value: ConfigFile.Value
            switch setting.type {
            case "integer":
                guard let number = Int(text!) else {
                    throw Error(description: "\(flag) needs an integer, not '\(text!)'")
                }
                value = .integer(number)
            case "bool":
                guard text == "true" || text == "false" else { throw Error(description: "\(flag) takes true or false") }
                value = .bool(text == "true")
            case "seconds":
                guard let number = Double(text!) else { throw Error(description: "\(flag) needs a number of seconds") }
                value = .float(number)
            default:
                value = .string(text!)
            }
            do {
                try setting.apply(&configuration, value)
            } catch {
                throw Error(description: error.description)
            }
        }
        return configuration
    }

    /// The `yizhan serve --help` text, generated from ``Settings``.
    public static var serveHelp: String {
        var lines = ["usage: yizhan serve [--config FILE] [options]", "", "options (and their yizhan.toml keys):"]
        for setting in Settings.all {
            let flag =
                setting.flag.map { "\($0)\(setting.type == "bool" ? "" : " <\(setting.type)>")" } ?? "(file only)"
            lines.append("  \(flag.padding(32)) \(setting.key)")
            lines.append("      \(setting.help)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
