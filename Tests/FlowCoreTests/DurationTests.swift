import FlowCore
import Testing

struct DurationTests {
    @Test func secondsAndMillisecondsKeepTheFraction() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.microseconds(2_999).inMilliseconds == 2)
        #expect(Duration.seconds(61).inMilliseconds == 61_000)
        #expect(Duration.zero.inSeconds == 0)
    }
}
