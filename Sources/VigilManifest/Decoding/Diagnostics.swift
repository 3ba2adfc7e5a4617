/// Collects every problem of one load, so a broken manifest is reported in one pass.
///
/// Decoders report here and carry on with what they can still read; the loader decides at the
/// end whether anything was wrong.
final class Diagnostics {
    private(set) var errors: [ManifestError] = []

    func error(_ location: SourceLocation, _ message: String) {
        errors.append(ManifestError(location, message))
    }

    /// Drops errors that only echo an earlier one (see ``YAMLDocuments``' renamed keys).
    func remove(where shouldRemove: (ManifestError) -> Bool) {
        errors.removeAll(where: shouldRemove)
    }
}
