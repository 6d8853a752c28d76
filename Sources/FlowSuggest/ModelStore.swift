import FlowCore
import FlowFormats
import Foundation

/// Where the local model and its training flows live: the trained model in the XDG data
/// directory, the bundled corpus next to the program (or in the source checkout).
public enum ModelStore {
    public static func modelPath(_ env: [String: String]) -> String {
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? "") + "/.local/share"
        return base + "/flowsmith/model.json"
    }

    /// The bundled corpus folder: `$FLOWSMITH_CORPUS`, or `corpus/` found next to the program.
    public static func corpusDirectory(_ env: [String: String], executable: String) -> String? {
        if let d = env["FLOWSMITH_CORPUS"], !d.isEmpty { return d }
        let candidates = TextFile.besideProgram("corpus", executable: executable)
        if let installed = candidates.first, FileManager.default.fileExists(atPath: installed) { return installed }
        return candidates.dropFirst().first { FileManager.default.fileExists(atPath: $0 + "/en") }
    }

    /// The `.flow.md` files under a folder, as paths relative to it, in name order: the folder's
    /// own order differs between file systems and machines, and cross-validation splits files by
    /// their place in the list. Nil when the folder cannot be read.
    public static func flowFiles(in directory: String) -> [String]? {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return nil }
        return (e.allObjects as? [String] ?? []).filter { $0.hasSuffix(".flow.md") }.sorted()
    }

    /// Every `.flow.md` under a folder (`flowFiles`), read and parsed; files that do not parse
    /// are reported, not fatal.
    public static func flows(in directory: String) -> (flows: [Flow], problems: [String]) {
        var flows: [Flow] = []
        var problems: [String] = []
        guard let files = flowFiles(in: directory) else { return ([], ["\(directory): cannot read the folder"]) }
        for rel in files {
            let path = directory + "/" + rel
            do {
                flows.append(try FlowMarkdownReader.read(try TextFile.read(path), file: path).flow)
            } catch {
                problems.append("\(error)")
            }
        }
        return (flows, problems)
    }

    public static func save(_ model: LocalModel, to path: String) throws {
        let data = try JSONEncoder().encode(model.examples)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try TextFile.write(String(decoding: data, as: UTF8.self), to: path)
    }

    public static func load(from path: String) throws -> LocalModel {
        let text = try TextFile.read(path)
        let examples = try JSONDecoder().decode([LocalModel.Example].self, from: Data(text.utf8))
        return LocalModel(examples: examples)
    }

    /// The model to use: the trained one if there is one, else one built now from the bundled corpus.
    public static func current(_ env: [String: String], executable: String) -> LocalModel? {
        if let model = try? load(from: modelPath(env)) { return model }
        guard let dir = corpusDirectory(env, executable: executable) else { return nil }
        return LocalModel(examples: LocalModel.examples(from: flows(in: dir).flows))
    }
}
