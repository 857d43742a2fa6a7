import Hardness
import Testing

@Suite("Exact cosine comparisons")
struct CosineTests {
    @Test("comparison with dyadic thresholds j/2^s matches integer arithmetic")
    func dyadicThresholds() {
        for p in [1, 2, 3, 7, 12, 49, 130, 4225] {
            for ip in 0...Int(Double(p).squareRoot()) {
                for s in [0, 3, 6, 10] {
                    for j in stride(from: 0, through: 1 << s, by: max(1, (1 << s) / 16)) {
                        let t = Double(j) / Double(1 << s)
                        let difference = ip * ip * (1 << (2 * s)) - j * j * p
                        let sign = difference < 0 ? -1 : (difference > 0 ? 1 : 0)
                        #expect(Cosine(innerProduct: ip, normProduct: p).compare(to: t) == sign,
                                "ip \(ip), P \(p), t \(j)/2^\(s)")
                    }
                }
            }
        }
    }

    @Test("thresholds that are not dyadic with few bits: 2/3, subnormals, 1")
    func awkwardThresholds() {
        let twoThirds = 2.0 / 3.0
        #expect((-2.0).addingProduct(twoThirds, 3) < 0, "the double nearest 2/3 lies below it")
        #expect(Cosine(innerProduct: 2, normProduct: 9).compare(to: twoThirds) == 1)
        #expect(Cosine(innerProduct: 2, normProduct: 9).compare(to: twoThirds.nextUp) == -1)
        #expect(Cosine(innerProduct: 1, normProduct: 1).compare(to: .leastNonzeroMagnitude) == 1)
        #expect(Cosine(innerProduct: 0, normProduct: 5).compare(to: .leastNonzeroMagnitude) == -1)
        #expect(Cosine(innerProduct: 0, normProduct: 5).compare(to: 0) == 0)
        #expect(Cosine(innerProduct: 3, normProduct: 9).compare(to: 1) == 0)
        #expect(Cosine(innerProduct: 3, normProduct: 9).compare(to: 1.0.nextUp) == -1)
        #expect(Cosine(innerProduct: 3, normProduct: 9).compare(to: 1.0.nextDown) == 1)
    }

    @Test("rounded bounds of rational cosines ip/s are the neighbouring doubles (checked with fma)")
    func roundedBoundsOfRationalCosines() {
        for s in 1...40 {
            for ip in 0...s {
                let cosine = Cosine(innerProduct: ip, normProduct: s * s)
                let down = cosine.roundedDown, up = cosine.roundedUp
                // fma(x, s, −ip) has the sign of x·s − ip exactly.
                #expect((-Double(ip)).addingProduct(down, Double(s)) <= 0)
                #expect((-Double(ip)).addingProduct(down.nextUp, Double(s)) > 0)
                #expect((-Double(ip)).addingProduct(up, Double(s)) >= 0)
                #expect(up == 0 || (-Double(ip)).addingProduct(up.nextDown, Double(s)) < 0)
            }
        }
    }

    @Test("rounded bounds bracket the cosine within one ulp, and ordering is exact")
    func roundedBoundsAndOrdering() {
        for p in 1...300 {
            for ip in stride(from: 0, through: Int(Double(p).squareRoot()), by: 1) {
                let cosine = Cosine(innerProduct: ip, normProduct: p)
                let down = cosine.roundedDown, up = cosine.roundedUp
                #expect(cosine.compare(to: down) >= 0 && cosine.compare(to: down.nextUp) < 0)
                #expect(cosine.compare(to: up) <= 0 && (up == 0 || cosine.compare(to: up.nextDown) > 0))
                #expect(up == down || up == down.nextUp)
                #expect(abs(cosine.value - down) <= 2 * down.ulp)
            }
        }
        #expect(Cosine(innerProduct: 1, normProduct: 4) == Cosine(innerProduct: 2, normProduct: 16))
        #expect(Cosine(innerProduct: 2, normProduct: 9) < Cosine(innerProduct: 1, normProduct: 2))
        #expect(!(Cosine(innerProduct: 1, normProduct: 4) < Cosine(innerProduct: 2, normProduct: 16)))
    }
}
