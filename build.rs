//! The PDF fonts, deflated into the build's output folder: the binaries carry them compressed
//! (9.1 MB of font files in 5.1 MB) and `documents::pdf::fonts` inflates each the first time a
//! PDF needs it. A packaged build (`TRDCHECK_FONT_DIR`) reads them from the package instead.

use std::io::Write;
use std::path::Path;

fn main() {
    // A packaged build reads the fonts from the package's data folder (scripts/package sets this
    // to /usr/share/trdcheck/fonts and ships the deflated files there): the app and the command
    // line then do not each carry the same 5 MB. Any other build carries them compiled in.
    println!("cargo::rustc-check-cfg=cfg(fonts_from_dir)");
    println!("cargo:rerun-if-env-changed=TRDCHECK_FONT_DIR");
    if let Some(dir) = std::env::var_os("TRDCHECK_FONT_DIR").filter(|d| !d.is_empty()) {
        let dir = dir.into_string().expect("TRDCHECK_FONT_DIR is UTF-8");
        assert!(Path::new(&dir).is_absolute(), "TRDCHECK_FONT_DIR must be an absolute path: {dir}");
        println!("cargo:rustc-cfg=fonts_from_dir");
        println!("cargo:rustc-env=TRDCHECK_FONT_DIR={dir}");
        return;
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for dir in ["assets/fonts", "assets/fonts/fallback"] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|entry| entry.expect("a readable folder").path())
            .filter(|p| p.extension().is_some_and(|x| x == "ttf" || x == "otf"))
            .collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            deflated.write_all(&data).expect("deflate in memory");
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let target = Path::new(&out).join(format!("{name}.deflate"));
            std::fs::write(&target, deflated.finish().expect("deflate in memory"))
                .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}
