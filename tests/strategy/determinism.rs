//! The same inputs give the same plan, byte for byte.

use socialkit::strategy::{Inputs, plan};

use crate::common::many_channels;

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let (inputs, now) = many_channels(12, 6, true);
    let a = plan(&inputs, now).unwrap();
    let a1 = a.to_json().unwrap();
    let a2 = a.to_json().unwrap();
    assert_eq!(a1, a2, "serializing twice");
    let b = plan(&inputs, now).unwrap().to_json().unwrap();
    assert_eq!(a1, b, "planning twice");
    assert!(a1.len() > 10_000);
}

#[test]
fn inputs_read_back_from_json_and_toml_give_the_same_bytes() {
    let (inputs, now) = many_channels(6, 3, true);
    let want = plan(&inputs, now).unwrap().to_json().unwrap();
    let json = serde_json::to_string(&inputs).unwrap();
    let from_json = Inputs::from_json_str(&json).unwrap();
    assert_eq!(plan(&from_json, now).unwrap().to_json().unwrap(), want);
    let toml = toml::to_string(&inputs).unwrap();
    let from_toml = Inputs::from_toml_str(&toml).unwrap();
    assert_eq!(plan(&from_toml, now).unwrap().to_json().unwrap(), want);
}

#[test]
fn channel_order_in_the_inputs_does_not_matter_for_the_calendar() {
    let (inputs, now) = many_channels(8, 2, true);
    let mut reversed = inputs.clone();
    reversed.channels.reverse();
    let a = plan(&inputs, now).unwrap();
    let b = plan(&reversed, now).unwrap();
    assert_eq!(
        serde_json::to_string(&a.calendar).unwrap(),
        serde_json::to_string(&b.calendar).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&a.selection).unwrap(),
        serde_json::to_string(&b.selection).unwrap()
    );
}
