//! The PDF fonts, deflated into the build's output folder: the binaries carry them compressed
//! (9.1 MB of font files in 5.1 MB) and `documents::pdf::fonts` inflates each the first time a
//! PDF needs it.

use std::io::Write;
use std::path::Path;

fn main() {
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
