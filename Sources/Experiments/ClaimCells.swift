/// How a claim's numbers read in the report's claims table: "—" where nothing was fitted or measured
/// (the note says why), never "NaN".
extension ClaimResult {
    /// The measured value, or "—".
    var measuredText: String { measured.isFinite ? NumberText.short(measured, digits: 4) : "—" }

    /// "[low, high]", or "—" when either end is not a number.
    var intervalText: String {
        guard !low.isNaN, !high.isNaN else { return "—" }
        return "[\(NumberText.short(low, digits: 4)), \(NumberText.short(high, digits: 4))]"
    }

    /// The note, saying that nothing was measured when the claim has no value and no note of its own.
    var noteText: String { note.isEmpty && !measured.isFinite ? "nothing measured" : note }
}
