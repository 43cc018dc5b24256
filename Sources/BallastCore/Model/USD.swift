/// USD figures leave the program as JSON numbers rounded to a millionth of a dollar. A
/// non-finite figure stays non-finite, so the encoder refuses it: a bug upstream is reported,
/// never written out as a made-up number.
public enum USD {
    public static func rounded(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }
}
