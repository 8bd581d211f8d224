//! Dates as text, by pure arithmetic: the server and the browser render
//! the same characters.

/// `2026-11-23 10:41 UTC` from Unix seconds (pure arithmetic, so the server
/// and the browser render the same text; civil-from-days after H. Hinnant).
pub fn utc(seconds: i64) -> String {
    let (day, rest) = (date(seconds), seconds.rem_euclid(86_400));
    format!("{day} {:02}:{:02} UTC", rest / 3_600, rest % 3_600 / 60)
}

/// `2026-11-23`: the UTC date of Unix seconds.
pub fn date(seconds: i64) -> String {
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::{date, utc};

    #[test]
    fn formats_unix_seconds_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_795_430_460), "2026-11-23 10:41 UTC");
        assert_eq!(date(1_795_430_460), "2026-11-23");
    }
}
