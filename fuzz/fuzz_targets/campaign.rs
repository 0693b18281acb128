//! Campaign inputs (the strategy's TOML and JSON): typed errors or inputs, never a panic; valid
//! inputs are planned at a fixed instant without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::strategy::{Inputs, plan};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let inputs = if pick & 1 == 0 {
        Inputs::from_toml_str(&text)
    } else {
        Inputs::from_json_str(&text)
    };
    if let Ok(inputs) = inputs {
        let now = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap_or_default();
        if inputs.validate(now).is_ok() {
            let _ = plan(&inputs, now);
        }
    }
});
