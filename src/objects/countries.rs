//! ISO 3166-1 alpha-2 country codes: the two-letter codes Graph's
//! `countryNamedLocation.countriesAndRegions` takes ("List of countries and/or
//! regions in two-letter format", <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>).
//!
//! The 249 officially assigned codes of ISO 3166-1
//! (<https://www.iso.org/iso-3166-country-codes.html>), as listed by the IANA
//! time zone database's `iso3166.tab` (<https://www.iana.org/time-zones>).
//! Sorted, so lookups are a binary search.

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted.
pub static ALPHA2: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// True when `code` is an assigned ISO 3166-1 alpha-2 code (upper case, as
/// Graph returns them).
pub fn is_alpha2(code: &str) -> bool {
    ALPHA2.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_complete_and_upper_case() {
        assert_eq!(ALPHA2.len(), 249);
        assert!(ALPHA2.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ALPHA2
                .iter()
                .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        for ok in ["NL", "NO", "US", "GB", "AX", "SS"] {
            assert!(is_alpha2(ok), "{ok}");
        }
        // UK and EU are reserved, XK (Kosovo) user-assigned: none is an
        // officially assigned code.
        for bad in ["UK", "EU", "XK", "nl", "NLD", "", "ZZ"] {
            assert!(!is_alpha2(bad), "{bad}");
        }
    }
}
