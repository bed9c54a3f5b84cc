// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // While there is one thread: the time zone the day a record was signed is read in.
    trdcheck::records::remember_local_offset();
    trdcheck_desktop::run();
}
