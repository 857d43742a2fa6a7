import Foundation
import Testing
@testable import Training

/// The routing option: its validation, its JSON compatibility and the exact forward FLOP count.
@Suite struct RoutingDescriptionTests {
    /// 8 tokens, width 4, one head of 4, MLP 8, 2 causal blocks, 5 classes.
    private func model(_ routing: RoutingDescription?) -> ModelDescription {
        ModelDescription(input: .tokens(vocabulary: 5), tokens: 8, layers: 2, width: 4, heads: 1, headDimension: 4,
                         mlpHidden: 8, causal: true, output: .classification(classes: 5), routing: routing)
    }

    /// Per block at n tokens: 8·n·m·Hd + 4·Hd·n(n+1)/2 + 4·n·m·f; n = 8: 1024 + 576 + 1024 = 2624,
    /// n = k = 2: 256 + 48 + 256 = 560; without the mask n² = 64 pairs; router 2·8·4 = 64; predictor 2·8·16·5 = 1280; head 2·8·4·5 = 320.
    @Test func forwardFLOPsMatchTheHandCount() {
        #expect(model(nil).forwardFLOPs == 2 * 2624 + 320)
        #expect(model(RoutingDescription(capacity: 0.25)).forwardFLOPs == 2624 + 560 + 64 + 320)
        #expect(model(RoutingDescription(capacity: 0.25, predictor: true)).forwardFLOPs == 2624 + 560 + 64 + 1280 + 320)
        #expect(model(RoutingDescription(capacity: 0.25, every: 1)).forwardFLOPs == 2 * (560 + 64) + 320)
        var bidirectional = model(RoutingDescription(capacity: 1))
        bidirectional.causal = false
        #expect(bidirectional.forwardFLOPs == 2 * (1024 + 4 * 4 * 64 + 1024) + 64 + 320)
    }

    @Test func selectedTokensRoundUpAndStayInRange() {
        #expect(RoutingDescription(capacity: 0.125).selected(of: 2048) == 256)
        #expect(RoutingDescription(capacity: 0.125).selected(of: 17) == 3)
        #expect(RoutingDescription(capacity: 0.01).selected(of: 7) == 1)
        #expect(RoutingDescription(capacity: 1).selected(of: 7) == 7)
        #expect((0..<6).filter(RoutingDescription(every: 2).routes) == [1, 3, 5])
        #expect((0..<6).filter(RoutingDescription(every: 3).routes) == [2, 5])
    }

    @Test func invalidRoutingIsRejectedWithOneLine() {
        func message(_ description: ModelDescription) -> String? {
            do { try description.validate(); return nil } catch { return "\(error)" }
        }
        #expect(message(model(RoutingDescription(capacity: 0)))?.contains("capacity must be in (0, 1]") == true)
        #expect(message(model(RoutingDescription(capacity: 1.5)))?.contains("capacity must be in (0, 1]") == true)
        #expect(message(model(RoutingDescription(every: 0)))?.contains("every") == true)
        var postNorm = model(RoutingDescription())
        postNorm.norm = .post
        #expect(message(postNorm)?.contains("pre-norm") == true)
        #expect(message(model(RoutingDescription(mode: .random, predictor: true)))?.contains("predictor") == true)
        #expect(message(model(RoutingDescription())) == nil)
    }

    @Test func modelJSONWithoutRoutingStillDecodes() throws {
        let plain = try JSONEncoder().encode(model(nil))
        #expect(!String(decoding: plain, as: UTF8.self).contains("routing"))
        #expect(try JSONDecoder().decode(ModelDescription.self, from: plain) == model(nil))
        let routed = model(RoutingDescription(capacity: 0.5, every: 1, mode: .random, seed: 2))
        #expect(try JSONDecoder().decode(ModelDescription.self, from: JSONEncoder().encode(routed)) == routed)
    }
}
