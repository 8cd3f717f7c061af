/// How a picture says the size it is drawn at, so that no title claims a size the picture is not
/// shown at: a picture drawn at its true size or a whole multiple of it needs nothing more; one
/// shrunk (or stretched by a fraction) to fit says "drawn at 18x18".
///
/// Sizes are pairs written in the order the caller's title writes them (rows x columns for a
/// grid, width x height for an image), so the note reads the same way as the title beside it.
public enum DrawnSize {
    /// True when `shown` is `size` times one whole factor (1 included) both ways.
    public static func isWholeMultiple(shown: (Int, Int), of size: (Int, Int)) -> Bool {
        guard size.0 > 0, size.1 > 0 else { return true }
        return shown.0 % size.0 == 0 && shown.1 % size.1 == 0 && shown.0 / size.0 == shown.1 / size.1 && shown.0 > 0
    }

    /// nil at the true size or a whole multiple, otherwise "drawn at 18x18".
    public static func note(shown: (Int, Int), of size: (Int, Int)) -> String? {
        isWholeMultiple(shown: shown, of: size) ? nil : "drawn at \(shown.0)x\(shown.1)"
    }

    /// "28x28", or "28x28, drawn at 18x18" when the picture is not a whole multiple of its size.
    public static func label(_ size: (Int, Int), shown: (Int, Int)) -> String {
        let sizeText = "\(size.0)x\(size.1)"
        guard let note = note(shown: shown, of: size) else { return sizeText }
        return sizeText + ", " + note
    }
}
