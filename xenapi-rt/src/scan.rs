//! Finding where a run of plain text ends, for both wire decoders.
//!
//! Both decoders spend much of their time walking over text that needs
//! nothing done to it (member names, references, UUIDs, descriptions) to
//! the next byte that does: a quote, backslash or control byte in JSON;
//! a `<`, `&` or `\r` in XML. [`find`] looks at 16 bytes per step with
//! SSE2 on x86-64 (through `safe_arch`, so the crate keeps forbidding
//! `unsafe`), and at 8 bytes per step elsewhere and for the last few
//! bytes. Strings in replies are mostly short, so the search is inlined
//! into its callers rather than handed to a general routine whose setup
//! would cost more than the search.

/// The bytes a search stops at: three given bytes, and optionally every
/// byte below 0x20.
#[derive(Clone, Copy)]
pub(crate) struct Stops {
    bytes: [u8; 3],
    controls: bool,
}

/// Where a JSON string's plain text ends: a quote, a backslash, or a
/// control byte (which JSON strings must escape).
#[cfg_attr(not(feature = "json-rpc"), allow(dead_code))]
pub(crate) const JSON_STRING: Stops = Stops { bytes: [b'"', b'\\', b'"'], controls: true };

/// Where XML character data's plain text ends: markup, a reference, or a
/// carriage return (which XML turns into a line feed).
#[cfg_attr(not(feature = "xml-rpc"), allow(dead_code))]
pub(crate) const XML_TEXT: Stops = Stops { bytes: [b'<', b'&', b'\r'], controls: false };

/// The position of the first byte of `hay` that `stops` names.
#[inline(always)]
pub(crate) fn find(hay: &[u8], stops: Stops) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use safe_arch::{
            bitand_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
            set_splat_i8_m128i, zeroed_m128i,
        };
        let [a, b, c] = stops.bytes.map(|s| set_splat_i8_m128i(s as i8));
        let high = set_splat_i8_m128i(0xE0u8 as i8);
        let mut rest = hay;
        while let Some(chunk) = rest.first_chunk::<16>() {
            let x = load_unaligned_m128i(chunk);
            let mut hits = bitor_m128i(
                bitor_m128i(cmp_eq_mask_i8_m128i(x, a), cmp_eq_mask_i8_m128i(x, b)),
                cmp_eq_mask_i8_m128i(x, c),
            );
            if stops.controls {
                // Below 0x20 exactly when the top three bits are clear.
                hits = bitor_m128i(hits, cmp_eq_mask_i8_m128i(bitand_m128i(x, high), zeroed_m128i()));
            }
            let mask = move_mask_i8_m128i(hits) as u32;
            if mask != 0 {
                return Some(hay.len() - rest.len() + mask.trailing_zeros() as usize);
            }
            rest = &rest[16..];
        }
        words(rest, stops).map(|k| hay.len() - rest.len() + k)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        words(hay, stops)
    }
}

/// [`find`] eight bytes at a time, in plain integer arithmetic.
#[inline(always)]
fn words(hay: &[u8], stops: Stops) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero; the lowest one flagged is
    // exact (a borrow only makes bytes above a true match look like one).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut rest = hay;
    while let Some(word) = rest.first_chunk::<8>() {
        let x = u64::from_le_bytes(*word);
        let [a, b, c] = stops.bytes;
        let mut hits =
            zero(x ^ (ONES * u64::from(a))) | zero(x ^ (ONES * u64::from(b))) | zero(x ^ (ONES * u64::from(c)));
        if stops.controls {
            hits |= x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        }
        if hits != 0 {
            return Some(hay.len() - rest.len() + (hits.trailing_zeros() / 8) as usize);
        }
        rest = &rest[8..];
    }
    let tail = rest.iter().position(|&x| stops.bytes.contains(&x) || (stops.controls && x < 0x20))?;
    Some(hay.len() - rest.len() + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(hay: &[u8], stops: Stops) -> Option<usize> {
        hay.iter().position(|&x| stops.bytes.contains(&x) || (stops.controls && x < 0x20))
    }

    #[test]
    fn both_searches_find_the_first_stop_byte_wherever_it_is() {
        // Filler bytes next to the stop bytes in value (0x1f/0x20, '!'/'"',
        // high bytes) so that a search that flags neighbours fails.
        let filler = [b'a', 0x20, 0x7f, 0xc3, 0x21, 0x5d, 0xff, 0x80, 0x3d, 0x3b, b'\n' + 1];
        for stops in [JSON_STRING, XML_TEXT] {
            for len in 0..70 {
                let base: Vec<u8> = (0..len).map(|i| filler[i % filler.len()]).collect();
                assert_eq!(find(&base, stops), plain(&base, stops), "{base:?}");
                assert_eq!(words(&base, stops), plain(&base, stops), "{base:?}");
                for at in 0..len {
                    for stop in [b'"', b'\\', b'<', b'&', b'\r', 0x00, 0x1f, b'\n'] {
                        let mut hay = base.clone();
                        hay[at] = stop;
                        if at + 3 < len {
                            hay[at + 3] = b'"';
                        }
                        let want = plain(&hay, stops);
                        assert_eq!(find(&hay, stops), want, "{hay:?}");
                        assert_eq!(words(&hay, stops), want, "{hay:?}");
                    }
                }
            }
        }
    }
}
