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

/// Where a character XML 1.0 refuses may start: a control byte, or the
/// 0xEF that begins a raw U+FFFE or U+FFFF (`xml_chars` looks closer).
pub(crate) const XML_FORBIDDEN: Stops = Stops { bytes: [0xEF, 0xEF, 0xEF], controls: true };

/// The position of the first byte of `hay` that `stops` names.
#[inline(always)]
pub(crate) fn find(hay: &[u8], stops: Stops) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let sse = Sse2::new(stops);
        let mut rest = hay;
        while let Some(chunk) = rest.first_chunk::<16>() {
            let mask = safe_arch::move_mask_i8_m128i(sse.hits(chunk)) as u32;
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

/// The length of a [`block_has`] block.
pub(crate) const BLOCK: usize = 64;

/// Whether any byte of `block` is one that `stops` names: the test for a
/// long body where stops are rare, which asks once per 64 bytes rather
/// than once per 16 as [`find`] does.
#[inline(always)]
pub(crate) fn block_has(block: &[u8; BLOCK], stops: Stops) -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use safe_arch::bitor_m128i;
        let sse = Sse2::new(stops);
        let (a, rest) = block.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
        let (b, rest) = rest.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
        let (c, d) = rest.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
        let d = d.first_chunk::<16>().unwrap_or(&[0; 16]);
        let hits = bitor_m128i(bitor_m128i(sse.hits(a), sse.hits(b)), bitor_m128i(sse.hits(c), sse.hits(d)));
        safe_arch::move_mask_i8_m128i(hits) != 0
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        words(block, stops).is_some()
    }
}

/// `stops` as 16-byte SSE2 constants.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[derive(Clone, Copy)]
struct Sse2 {
    bytes: [safe_arch::m128i; 3],
    high: safe_arch::m128i,
    controls: bool,
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Sse2 {
    #[inline(always)]
    fn new(stops: Stops) -> Sse2 {
        use safe_arch::set_splat_i8_m128i;
        Sse2 {
            bytes: stops.bytes.map(|s| set_splat_i8_m128i(s as i8)),
            high: set_splat_i8_m128i(0xE0u8 as i8),
            controls: stops.controls,
        }
    }

    /// 0xFF in each lane of `chunk` that holds a stop byte.
    #[inline(always)]
    fn hits(&self, chunk: &[u8; 16]) -> safe_arch::m128i {
        use safe_arch::{bitand_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, zeroed_m128i};
        let x = load_unaligned_m128i(chunk);
        let [a, b, c] = self.bytes;
        let mut hits = bitor_m128i(
            bitor_m128i(cmp_eq_mask_i8_m128i(x, a), cmp_eq_mask_i8_m128i(x, b)),
            cmp_eq_mask_i8_m128i(x, c),
        );
        if self.controls {
            // Below 0x20 exactly when the top three bits are clear.
            hits = bitor_m128i(hits, cmp_eq_mask_i8_m128i(bitand_m128i(x, self.high), zeroed_m128i()));
        }
        hits
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
        for stops in [JSON_STRING, XML_TEXT, XML_FORBIDDEN] {
            for len in 0..70 {
                let base: Vec<u8> = (0..len).map(|i| filler[i % filler.len()]).collect();
                assert_eq!(find(&base, stops), plain(&base, stops), "{base:?}");
                assert_eq!(words(&base, stops), plain(&base, stops), "{base:?}");
                for at in 0..len {
                    for stop in [b'"', b'\\', b'<', b'&', b'\r', 0x00, 0x1f, b'\n', 0xEF] {
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

    #[test]
    fn the_block_test_flags_exactly_the_blocks_that_hold_a_stop() {
        for stops in [JSON_STRING, XML_TEXT, XML_FORBIDDEN] {
            for at in 0..BLOCK {
                for x in 0..=255u8 {
                    let mut block = [b'a'; BLOCK];
                    block[at] = x;
                    let want = plain(&block, stops).is_some();
                    assert_eq!(block_has(&block, stops), want, "{x:#x} at {at}");
                    assert_eq!(words(&block, stops).is_some(), want, "{x:#x} at {at}");
                }
            }
        }
    }
}
