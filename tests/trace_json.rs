//! The JSON trace is a contract: every scenario's `trace::json` parses, and has the documented shape.
#![cfg(not(target_arch = "wasm32"))]

use syscall_explorer::model::{trace, Preset, Scenario, Timeline};

#[test]
fn every_scenario_gives_valid_json_in_the_documented_shape() {
    for preset in Preset::ALL {
        let timeline = Timeline::run(&Scenario::preset(preset));
        let text = trace::json(&timeline);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{preset:?}: {err}"));
        assert_eq!(value["scenario"], preset.id());
        let frames = value["frames"].as_array().expect("frames is an array");
        assert_eq!(frames.len(), timeline.frames.len());
        for (idx, frame) in frames.iter().enumerate() {
            assert_eq!(frame["index"], idx);
            let step = frame["step"].as_u64().unwrap();
            assert!((1..=7).contains(&step));
            assert!(matches!(frame["cpl"].as_u64(), Some(0 | 3)));
            assert!(frame["executed"].is_string());
            let regs = frame["regs"].as_object().unwrap();
            for name in [
                "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
                "r15", "rip", "rflags", "cs", "ss",
            ] {
                let hex = regs[name].as_str().unwrap_or_else(|| panic!("{name} missing"));
                assert!(hex.starts_with("0x") && u64::from_str_radix(&hex[2..], 16).is_ok(), "{name}={hex}");
            }
            let expected_rax = format!("{:#x}", timeline.frames[idx].machine.cpu.gpr[0]);
            assert_eq!(regs["rax"], expected_rax.as_str());
        }
    }
}

#[test]
fn strings_with_quotes_and_control_characters_stay_valid() {
    let mut scenario = Scenario::preset(Preset::Write);
    scenario.buffer_text = "say \"hi\"\\\n\t\u{1}é".to_string();
    scenario.args[2] = scenario.buffer_text.len() as u64;
    let text = trace::json(&Timeline::run(&scenario));
    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
}
