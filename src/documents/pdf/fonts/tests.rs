//! The fonts' tests: widths as drawn, the font each script falls back to, every font loads.

use super::*;

#[test]
fn unshaped_glyphs_advance_by_the_widths_the_layout_measured() {
    let m = Fonts::shared().unwrap();
    for (text, weight) in [
        ("Ketamine 35.0 mg — Zoë Ñúñez, SpO₂ ≥ 94 % → 40 min", Weight::Regular),
        ("Pre-dose gate: defer", Weight::Bold),
    ] {
        let glyphs = m.glyphs(text, weight).expect("Latin text needs no shaping");
        assert_eq!(glyphs.len(), text.chars().count());
        let advance: f32 = glyphs.iter().map(|g| krilla::text::Glyph::x_advance(g, 10.0)).sum();
        assert!((advance - m.width(text, weight, 10.0)).abs() < 1e-3, "{text}");
    }
}

#[test]
fn text_with_combining_marks_or_right_to_left_script_is_left_to_the_shaper() {
    let m = Fonts::shared().unwrap();
    assert!(m.glyphs("Zoe\u{0308}", Weight::Regular).is_none());
    assert!(m.glyphs("مريض", Weight::Regular).is_none());
    assert!(m.glyphs("שלום", Weight::Regular).is_none());
    assert!(m.glyphs("a\u{200F}b", Weight::Regular).is_none());
    assert!(m.glyphs("王小明", Weight::Regular).is_none());
}

/// Every script the fallbacks are there for has a font, in both weights; what DejaVu Sans has
/// stays in DejaVu Sans.
#[test]
fn each_script_a_clinic_meets_has_a_font() {
    let m = Fonts::shared().unwrap();
    let samples = [
        ("王小明", "Droid Sans Fallback (CJK)"),
        ("さくら カタカナ", "Droid Sans Fallback (CJK)"),
        ("김민준", "Noto Sans CJK KR (Hangul)"),
        // (DejaVu Sans has the emoticons of Unicode 6, 😀 among them; these it lacks.)
        ("👍🧠🥲🫠", "Noto Emoji"),
        ("राम शर्मा", "Noto Sans Devanagari"),
        ("রহিম", "Noto Sans Bengali"),
        ("ਗੁਰਪ੍ਰੀਤ", "Noto Sans Gurmukhi"),
        ("પટેલ", "Noto Sans Gujarati"),
        ("முருகன்", "Noto Sans Tamil"),
        ("వెంకట్", "Noto Sans Telugu"),
        ("สมชาย", "Noto Sans Thai"),
        ("አበበ", "Noto Sans Ethiopic"),
        ("សុខា", "Noto Sans Khmer"),
        ("အောင်", "Noto Sans Myanmar"),
    ];
    for (text, font) in samples {
        for weight in [Weight::Regular, Weight::Bold] {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                let id = m.font_for(c, weight).unwrap_or_else(|| panic!("no font has {c:?} of {text}"));
                let FontId::Fallback(i) = id else { panic!("{c:?} of {text} is in DejaVu Sans") };
                if !joins_previous(c) {
                    assert_eq!(FALLBACKS[i].name, font, "{c:?} of {text}");
                }
            }
        }
    }
    for text in ["😀", "Zoë Ñúñez", "Αλέξης", "Иван", "Արամ", "გიორგი", "שלום", "محمد علي"]
    {
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            assert_eq!(m.font_for(c, Weight::Bold), Some(FontId::Primary(Weight::Bold)), "{c:?} of {text}");
        }
    }
}

#[test]
fn pieces_change_font_where_the_script_does_and_marks_stay_with_their_base() {
    let m = Fonts::shared().unwrap();
    let runs: Vec<&str> = m.runs("Wang 王小明 (MRN 7)", Weight::Regular).into_iter().map(|(r, _)| r).collect();
    assert_eq!(runs, ["Wang ", "王小明", " (MRN 7)"]);
    // A skin-tone modifier and a family joined by zero-width joiners stay one emoji piece.
    let runs = m.runs("ok 👍🏽 👨\u{200D}👩\u{200D}👧", Weight::Regular);
    assert_eq!(runs.iter().map(|(r, _)| *r).collect::<Vec<_>>(), ["ok ", "👍🏽", " ", "👨\u{200D}👩\u{200D}👧"]);
    // A Devanagari vowel sign is a mark: it stays with its consonant.
    assert_eq!(m.runs("कि", Weight::Regular).len(), 1);
    // A CJK name is as wide as its characters in its own font, not three "missing" boxes.
    let w = m.width("王小明", Weight::Regular, 10.0);
    assert!((w - 30.0).abs() < 0.5, "{w}");
}

#[test]
fn text_without_spaces_wraps_between_characters() {
    let m = Fonts::shared().unwrap();
    let text = "王小明".repeat(20);
    let lines = m.wrap(&text, Weight::Regular, 10.0, 100.0);
    assert!(lines.len() >= 6, "{lines:?}");
    assert!(lines.iter().all(|l| m.width(l, Weight::Regular, 10.0) <= 100.0));
    assert_eq!(lines.concat(), text);
}

/// The page with `text` drawn large, rendered to a grey-scale image by poppler's pdftoppm (the
/// check renders the PDF, as a reader sees it, rather than extracting its text).
fn rendered(pdftoppm: &std::path::Path, dir: &std::path::Path, text: &str) -> Vec<u8> {
    use crate::documents::pdf::{render, Layout, Op, BLACK};
    let mut l = Layout::new(crate::records::clinic_details::Paper::A4).unwrap();
    l.pages[0].push(Op::Text {
        x: 40.0,
        y: 80.0,
        text: text.into(),
        weight: Weight::Regular,
        size: 48.0,
        color: BLACK,
    });
    let pdf = dir.join("glyph.pdf");
    std::fs::write(&pdf, render(&l, "glyph".into()).unwrap()).unwrap();
    let out = std::process::Command::new(pdftoppm)
        .args(["-gray", "-r", "36", "-singlefile"])
        .arg(&pdf)
        .arg(dir.join("glyph"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(dir.join("glyph.pgm")).unwrap()
}

/// Issue 24: Chinese, Japanese, Korean, emoji and the Indic, Thai, Ethiopic, Khmer and Myanmar
/// scripts print as themselves: each character, rendered from the PDF, is neither blank nor
/// the "missing" box that a character no font has is drawn as.
#[test]
fn every_character_of_every_script_renders_as_a_glyph_not_a_missing_box() {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("pdftoppm")).find(|p| p.is_file()));
    let Some(pdftoppm) = found else {
        assert!(std::env::var("TRDCHECK_REQUIRE_TOOLS").is_err(), "pdftoppm is required (scripts/test installs it)");
        eprintln!("skipped: pdftoppm is not installed (scripts/test installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let blank = rendered(&pdftoppm, dir.path(), "");
    let missing = rendered(&pdftoppm, dir.path(), "\u{10FFFD}");
    assert_ne!(missing, blank, "the missing box is drawn");
    let text = "王小明 さくら カタカナ 김민준 👍🧠🥲🫠😀 राम রহিম ਗੁਰ પટેલ முருகன் వెంకట్ สมชาย አበበ សុខា အောင် محمد שלום Zoë";
    for c in text.chars().filter(|c| !c.is_whitespace() && !joins_previous(*c)) {
        let image = rendered(&pdftoppm, dir.path(), &c.to_string());
        assert_ne!(image, blank, "{c:?} ({:X}) renders blank", u32::from(c));
        assert_ne!(image, missing, "{c:?} ({:X}) renders as the missing box", u32::from(c));
    }
}

#[test]
fn every_font_inflates_and_parses() {
    for font in std::iter::once(&REGULAR).chain([&BOLD]).chain(FALLBACKS.iter()) {
        font.present().unwrap();
        let face = font.face().unwrap_or_else(|| panic!("{} did not load", font.name));
        assert!(face.number_of_glyphs() > 50, "{}", font.name);
        #[cfg(not(fonts_from_dir))]
        assert!(font.bytes().unwrap().len() > font.deflated.len(), "{}: deflated", font.name);
    }
}

/// A packaged build reads each font from its deflated copy in the package's data folder: the
/// same bytes as the font compiled in; a copy missing or damaged is an error naming the file and
/// what to do, never a PDF drawn without it.
#[test]
fn a_font_is_read_from_its_deflated_copy_and_a_missing_one_names_its_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let thai = &FALLBACKS[6];
    assert_eq!(thai.name, "Noto Sans Thai");
    let bytes = thai.bytes().unwrap();
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflated.write_all(bytes).unwrap();
    std::fs::write(dir.path().join(format!("{}.deflate", thai.file)), deflated.finish().unwrap()).unwrap();
    assert_eq!(read_deflated(dir.path(), thai.file).unwrap(), bytes);

    let gone = read_deflated(dir.path(), "NotoSansKhmer-Regular.ttf").unwrap_err();
    assert!(gone.contains("NotoSansKhmer-Regular.ttf.deflate") && gone.contains("reinstall trdcheck"), "{gone}");

    std::fs::write(dir.path().join("NotoSansKhmer-Regular.ttf.deflate"), b"not deflated").unwrap();
    let damaged = read_deflated(dir.path(), "NotoSansKhmer-Regular.ttf").unwrap_err();
    assert!(damaged.contains("does not inflate") && damaged.contains("reinstall trdcheck"), "{damaged}");
}
