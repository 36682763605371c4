//! The config parser on arbitrary bytes: it must return Ok or a one-line error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mc_playground::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Config::from_json(&text) {
        Ok(c) => assert_eq!(Config::from_json(&c.to_json()).unwrap(), c),
        Err(e) => {
            let m = e.to_string();
            assert!(!m.contains('\n') && !m.contains('\0'));
        }
    }
});
