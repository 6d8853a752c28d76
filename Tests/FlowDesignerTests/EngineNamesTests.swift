import FlowDesigner
import OpenAIClient
import Testing

@Suite struct EngineNamesTests {
    /// `engine =` in the config and `--engine` accept exactly the local model and the client's
    /// presets: a preset added to one and not the other would be refused, or offered and fail.
    @Test func theConfigsEnginesAreTheClientsPresets() {
        #expect(Set(Config.engineNames) == Set(OpenAIClient.Configuration.presets.keys).union(["local"]))
        #expect(Config.engineNames.count == Set(Config.engineNames).count)
    }
}
