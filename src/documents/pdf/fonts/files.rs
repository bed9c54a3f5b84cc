//! The font files: compiled in deflated, or in a packaged build read from the package's data
//! folder; each inflated the first time a PDF needs it.

use std::io::Read;
use std::sync::OnceLock;

use rustybuzz::Face;

/// A font file, deflated (`build.rs`: 9.1 MB of font files in 5.1 MB), inflated the first time a
/// PDF needs it and kept for the process. A build from source carries it compiled in; a packaged
/// build (`TRDCHECK_FONT_DIR` set when it is built, scripts/package) reads it from the package's
/// data folder instead, so that the app and the command line do not each carry the same 5 MB.
pub(crate) struct FontFile {
    pub(crate) name: &'static str,
    /// The file's name in assets/fonts (or assets/fonts/fallback).
    pub(super) file: &'static str,
    #[cfg(not(fonts_from_dir))]
    pub(super) deflated: &'static [u8],
    inflated: OnceLock<Result<Vec<u8>, String>>,
}

impl FontFile {
    /// The font file's bytes, or why they could not be had (a file missing from the package's
    /// data folder; never for the files compiled in: a test inflates and parses every one).
    pub(super) fn bytes(&'static self) -> Result<&'static [u8], &'static str> {
        self.inflated.get_or_init(|| self.load()).as_deref().map_err(String::as_str)
    }

    #[cfg(not(fonts_from_dir))]
    fn load(&self) -> Result<Vec<u8>, String> {
        inflate(self.deflated).map_err(|e| format!("the font {} did not inflate ({e})", self.file))
    }

    #[cfg(fonts_from_dir)]
    fn load(&self) -> Result<Vec<u8>, String> {
        read_deflated(std::path::Path::new(env!("TRDCHECK_FONT_DIR")), self.file)
    }

    /// Whether the font can be had without reading it: always when compiled in; when read from the
    /// package's data folder, if its file is there.
    pub(super) fn present(&self) -> Result<(), String> {
        #[cfg(fonts_from_dir)]
        {
            let path = deflated_path(std::path::Path::new(env!("TRDCHECK_FONT_DIR")), self.file);
            if !path.is_file() {
                return Err(missing(&path, "not there"));
            }
        }
        Ok(())
    }

    pub(super) fn face(&'static self) -> Option<Face<'static>> {
        Face::from_slice(self.bytes().ok()?, 0)
    }
}

fn inflate(deflated: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut out)?;
    Ok(out)
}

/// Where the deflated copy of font `file` lies in `dir` (scripts/package writes them).
fn deflated_path(dir: &std::path::Path, file: &str) -> std::path::PathBuf {
    dir.join(format!("{file}.deflate"))
}

fn missing(path: &std::path::Path, why: &str) -> String {
    format!("the font file {} cannot be read ({why}): reinstall trdcheck", path.display())
}

/// The bytes of font `file` from its deflated copy in `dir` (a packaged build's data folder).
#[cfg_attr(not(fonts_from_dir), allow(dead_code))]
pub(crate) fn read_deflated(dir: &std::path::Path, file: &str) -> Result<Vec<u8>, String> {
    let path = deflated_path(dir, file);
    let deflated = std::fs::read(&path).map_err(|e| missing(&path, &e.to_string()))?;
    inflate(&deflated).map_err(|e| missing(&path, &format!("it does not inflate: {e}")))
}

#[cfg(not(fonts_from_dir))]
macro_rules! font {
    ($name:literal, $file:literal) => {
        FontFile {
            name: $name,
            file: $file,
            deflated: include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".deflate")),
            inflated: OnceLock::new(),
        }
    };
}

#[cfg(fonts_from_dir)]
macro_rules! font {
    ($name:literal, $file:literal) => {
        FontFile { name: $name, file: $file, inflated: OnceLock::new() }
    };
}

pub(super) static REGULAR: FontFile = font!("DejaVu Sans", "DejaVuSans.ttf");
pub(super) static BOLD: FontFile = font!("DejaVu Sans Bold", "DejaVuSans-Bold.ttf");

/// The fonts for what DejaVu Sans lacks, in the order they are tried; regular weight only (a bold
/// word in these scripts prints in the regular weight). Where each file comes from and under which
/// licence: assets/fonts/fallback/README.md.
pub(crate) static FALLBACKS: [FontFile; 13] = [
    font!("Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf"),
    font!("Noto Sans Bengali", "NotoSansBengali-Regular.ttf"),
    font!("Noto Sans Gurmukhi", "NotoSansGurmukhi-Regular.ttf"),
    font!("Noto Sans Gujarati", "NotoSansGujarati-Regular.ttf"),
    font!("Noto Sans Tamil", "NotoSansTamil-Regular.ttf"),
    font!("Noto Sans Telugu", "NotoSansTelugu-Regular.ttf"),
    font!("Noto Sans Thai", "NotoSansThai-Regular.ttf"),
    font!("Noto Sans Ethiopic", "NotoSansEthiopic-Regular.ttf"),
    font!("Noto Sans Khmer", "NotoSansKhmer-Regular.ttf"),
    font!("Noto Sans Myanmar", "NotoSansMyanmar-Regular.ttf"),
    font!("Droid Sans Fallback (CJK)", "DroidSansFallback-CJK.ttf"),
    font!("Noto Sans CJK KR (Hangul)", "NotoSansCJKkr-Hangul.otf"),
    font!("Noto Emoji", "NotoEmoji-Regular.ttf"),
];
