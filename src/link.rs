//! The page's two outside interfaces, as schemas in plain Rust. The URL: [`parse`] reads query pairs into a
//! [`LinkState`] (scenario, edits, frame, theme, mode, speed, radix) and a [`Notice`] for every parameter it had to
//! replace by its default, [`restore`] turns that into a [`State`], and [`to_query`] writes a state's query back.
//! Messages from an embedding page: [`parse_message`] checks one against the schema and gives the [`Action`] it asks
//! for. The browser side (reading the URL, listening for messages) is in `ui/effects.rs`.
//!
//! The query holds the preset (`s=read`), only the fields that differ from the preset's defaults (`arg0=9`, or the
//! argument's own name, `fd=9`), the frame (`f=12`, counted from 1 as the page shows it) or a lesson step (`step=5`),
//! `stops` (how far Next goes: `steps`, `key`, `all`), and `theme`, `mode`, `speed`, `radix` when they are not the
//! defaults. When a link has both `f` and `step`, the frame wins.

use std::rc::Rc;

use crate::model::input::{is_address, set_field, show_number, ARG_FIELDS, FIELD_NAMES};
use crate::model::measured::Measurement;
use crate::model::moments::Granularity;
use crate::model::{LessonStep, Preset, Scenario};
use crate::state::{Action, Mode, Notice, Radix, RemoteSet, Speed, State, Theme};

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkState {
    pub scenario: Scenario,
    /// 0-based frame index, if the link names one.
    pub frame: Option<usize>,
    /// A lesson step to open at, if the link names one (and no frame).
    pub step: Option<LessonStep>,
    pub granularity: Granularity,
    pub theme: Theme,
    pub mode: Mode,
    pub speed: Speed,
    pub radix: Radix,
    /// Parent origins allowed to drive an embedded page by `postMessage` (empty: any).
    pub origins: Vec<String>,
    /// Figures from `trace measure --link` (`cpu`, `kernel`, `ns`), shown in the cost view.
    pub measured: Option<Measurement>,
}

impl Default for LinkState {
    fn default() -> LinkState {
        LinkState {
            scenario: Scenario::default(),
            frame: None,
            step: None,
            granularity: Granularity::KeyMoments,
            theme: Theme::Auto,
            mode: Mode::Normal,
            speed: Speed::Normal,
            radix: Radix::Hex,
            origins: Vec::new(),
            measured: None,
        }
    }
}

fn short(text: &str) -> String {
    let mut shown: String = text.chars().take(32).collect();
    if text.chars().count() > 32 {
        shown.push('…');
    }
    shown
}

/// Reads query pairs (already percent-decoded). Never fails: anything it cannot use becomes a [`Notice`].
///
/// ```
/// use syscall_explorer::link::parse;
/// let (state, notices) = parse(&[("s".into(), "read-bad-fd".into()), ("f".into(), "0".into())]);
/// assert_eq!(state.scenario.args[0], 9);
/// assert_eq!(notices.len(), 1); // frames count from 1
/// ```
pub fn parse(pairs: &[(String, String)]) -> (LinkState, Vec<Notice>) {
    let mut state = LinkState::default();
    let mut notices = Vec::new();
    let mut notice = |param: &str, message: String| {
        notices.push(Notice { param: short(param), message });
    };
    let get = |name: &str| pairs.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    if let Some(id) = get("s") {
        match Preset::from_id(id) {
            Some(preset) => state.scenario = Scenario::preset(preset),
            None => notice("s", format!("there is no scenario \"{}\"; showing read() instead", short(id))),
        }
    }
    if get("f").is_some() && get("step").is_some() {
        notice("step", "the link also names a frame (f), and the frame wins; use one or the other".to_string());
    }
    for (key, value) in pairs {
        let key = key.as_str();
        match key {
            "s" | "cpu" | "kernel" | "ns" => {}
            "f" => match value.trim().parse::<usize>() {
                Ok(frame) if frame >= 1 => state.frame = Some(frame - 1),
                _ => notice(
                    "f",
                    format!("\"{}\" is not a frame number (they count from 1); starting at frame 1", short(value)),
                ),
            },
            "step" => match value.trim().parse::<u8>().ok().and_then(LessonStep::from_number) {
                Some(step) => state.step = Some(step),
                None => notice("step", format!("\"{}\" is not a step from 1 to 7; starting at step 1", short(value))),
            },
            "stops" => match Granularity::from_id(value) {
                Some(granularity) => state.granularity = granularity,
                None => notice(
                    "stops",
                    format!("\"{}\" is not a choice of stops (steps, key, all); using key moments", short(value)),
                ),
            },
            "theme" => match Theme::from_id(value) {
                Some(theme) => state.theme = theme,
                None => notice(
                    "theme",
                    format!("\"{}\" is not a theme (auto, light, dark); following the system", short(value)),
                ),
            },
            "mode" => match Mode::from_id(value) {
                Some(mode) => state.mode = mode,
                None => {
                    notice("mode", format!("\"{}\" is not a mode (normal, embed, present); using normal", short(value)))
                }
            },
            "embed" => match value.as_str() {
                "1" | "true" => state.mode = Mode::Embed,
                "0" | "false" => {}
                _ => notice("embed", format!("\"{}\" should be 1 or 0", short(value))),
            },
            "speed" => match Speed::from_id(value) {
                Some(speed) => state.speed = speed,
                None => {
                    notice("speed", format!("\"{}\" is not a speed (slow, normal, fast); using normal", short(value)))
                }
            },
            "radix" => match Radix::from_id(value) {
                Some(radix) => state.radix = radix,
                None => notice("radix", format!("\"{}\" should be hex or dec; showing hex", short(value))),
            },
            "origins" => {
                for origin in value.split(',').map(str::trim).filter(|origin| !origin.is_empty()) {
                    if is_origin(origin) {
                        state.origins.push(origin.to_string());
                    } else {
                        notice(
                            "origins",
                            format!("\"{}\" is not an origin like https://example.edu; ignored", short(origin)),
                        );
                    }
                }
            }
            field if FIELD_NAMES.contains(&field) => {
                if let Err(message) = set_field(&mut state.scenario, field, value) {
                    notice(field, format!("{message}; using the scenario's default"));
                }
            }
            other => notice(other, "is not a parameter this page knows; ignored".to_string()),
        }
    }
    match (get("cpu"), get("kernel"), get("ns")) {
        (None, None, None) => {}
        (Some(cpu), Some(kernel), Some(ns)) => match Measurement::parse(cpu, kernel, ns) {
            Ok(measured) => state.measured = Some(measured),
            Err(message) => notice("ns", format!("the measured figures are not shown: {message}")),
        },
        _ => notice(
            "ns",
            "measured figures need cpu, kernel and ns together (trace measure --link writes them)".to_string(),
        ),
    }
    (state, notices)
}

/// The query pairs that reproduce `state` (the frame given 0-based, written 1-based).
pub fn to_pairs(state: &LinkState) -> Vec<(String, String)> {
    let mut pairs = vec![("s".to_string(), state.scenario.preset.id().to_string())];
    let base = Scenario::preset(state.scenario.preset);
    let scenario = &state.scenario;
    let mut push = |key: &str, value: String| pairs.push((key.to_string(), value));
    if scenario.nr != base.nr {
        push("nr", show_number(scenario.nr, false));
    }
    for (idx, slot) in ARG_FIELDS.iter().enumerate() {
        if scenario.args[idx] != base.args[idx] {
            let name = scenario.program.arg_names().get(idx).copied();
            let address = name.is_some_and(is_address);
            // The argument's own name where the link reader knows it (fd=9), else its slot (arg3=…).
            let key = name.filter(|name| FIELD_NAMES.contains(name)).unwrap_or(slot);
            push(key, show_number(scenario.args[idx], address));
        }
    }
    if scenario.probe_rcx != base.probe_rcx {
        push("probe_rcx", show_number(scenario.probe_rcx, true));
    }
    if scenario.pid != base.pid {
        push("pid", scenario.pid.to_string());
    }
    if scenario.clock_ns != base.clock_ns {
        push("clock_ns", scenario.clock_ns.to_string());
    }
    if scenario.file_text != base.file_text {
        push("file_text", scenario.file_text.clone());
    }
    if scenario.path != base.path {
        push("path", scenario.path.clone());
    }
    if scenario.buffer_text != base.buffer_text {
        push("buffer_text", scenario.buffer_text.clone());
    }
    if scenario.mitigations {
        push("mitigations", "on".to_string());
    }
    match (state.frame, state.step) {
        (Some(frame), _) => push("f", (frame + 1).to_string()),
        (None, Some(step)) => push("step", step.number().to_string()),
        (None, None) => {}
    }
    if state.granularity != Granularity::KeyMoments {
        push("stops", state.granularity.id().to_string());
    }
    if state.theme != Theme::Auto {
        push("theme", state.theme.id().to_string());
    }
    if state.mode != Mode::Normal {
        push("mode", state.mode.id().to_string());
    }
    if state.speed != Speed::Normal {
        push("speed", state.speed.id().to_string());
    }
    if state.radix != Radix::Hex {
        push("radix", state.radix.id().to_string());
    }
    if !state.origins.is_empty() {
        push("origins", state.origins.join(","));
    }
    if let Some(measured) = &state.measured {
        pairs.extend(measured.to_pairs());
    }
    pairs
}

impl LinkState {
    /// The link state that reproduces what `state` shows.
    pub fn of(state: &State) -> LinkState {
        LinkState {
            scenario: state.timeline.scenario.clone(),
            frame: (state.cursor > 0).then_some(state.cursor),
            step: None,
            granularity: state.granularity,
            theme: state.theme,
            mode: state.mode,
            speed: state.speed,
            radix: state.radix,
            origins: (*state.origins).clone(),
            measured: state.measured.as_deref().cloned(),
        }
    }
}

/// The state a link restores, with a notice for every parameter replaced by its default (those from [`parse`], and
/// a frame past the end or a lesson step the scenario skips).
pub fn restore(link: LinkState, mut notices: Vec<Notice>) -> State {
    let mut state = State::new(&link.scenario);
    let last = state.last();
    if let Some(frame) = link.frame {
        if frame > last {
            notices.push(Notice {
                param: "f".to_string(),
                message: format!(
                    "frame {} is past the end of this scenario ({} frames); showing the last",
                    frame + 1,
                    last + 1
                ),
            });
        }
        state.cursor = frame.min(last);
    } else if let Some(step) = link.step {
        match state.step_start(step) {
            Some(start) => state.cursor = start,
            None => notices.push(Notice {
                param: "step".to_string(),
                message: format!("this scenario has no step {}; starting at the beginning", step.number()),
            }),
        }
    }
    state.granularity = link.granularity;
    state.theme = link.theme;
    state.mode = link.mode;
    state.speed = link.speed;
    state.radix = link.radix;
    state.origins = Rc::new(link.origins);
    state.measured = link.measured.map(Rc::new);
    state.notices = Rc::new(notices);
    state
}

/// Whether `text` is a web origin: `http(s)://host[:port]`, nothing after.
pub fn is_origin(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else { return false };
    !rest.is_empty() && rest.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | ':' | '[' | ']'))
}

/// A value in a `postMessage` message, as far as the schema cares.
#[derive(Clone, Debug, PartialEq)]
pub enum MsgValue {
    Str(String),
    Num(f64),
    Bool(bool),
    /// Anything else (objects, arrays, null).
    Other,
}

/// The message types this page accepts and sends.
pub const MSG_SET: &str = "syscall-explorer:set";
pub const MSG_GET: &str = "syscall-explorer:get";
pub const MSG_FRAME: &str = "syscall-explorer:frame";
pub const MSG_ERROR: &str = "syscall-explorer:error";

/// Checks a message against the schema (see README, "Embedding"); a message with both `frame` and `step` is refused:
/// `{type: "syscall-explorer:set", scenario?: string, frame?: integer ≥ 1, step?: 1..7, playing?: boolean}` or
/// `{type: "syscall-explorer:get"}`, which give [`Action::Remote`] and [`Action::RequestFrame`]. Messages of other
/// types return `Ok(None)` (they are for someone else).
///
/// # Errors
/// A sentence saying which field is wrong.
pub fn parse_message(fields: &[(String, MsgValue)]) -> Result<Option<Action>, String> {
    let get = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value);
    let Some(MsgValue::Str(kind)) = get("type") else { return Ok(None) };
    match kind.as_str() {
        MSG_GET => Ok(Some(Action::RequestFrame)),
        MSG_SET => {
            for (key, _) in fields {
                if !matches!(key.as_str(), "type" | "scenario" | "frame" | "step" | "playing") {
                    return Err(format!("unknown field \"{}\"", short(key)));
                }
            }
            let preset = match get("scenario") {
                None => None,
                Some(MsgValue::Str(id)) => {
                    Some(Preset::from_id(id).ok_or_else(|| format!("unknown scenario \"{}\"", short(id)))?)
                }
                Some(_) => return Err("scenario must be a string".to_string()),
            };
            let frame = match get("frame") {
                None => None,
                Some(MsgValue::Num(number)) if number.fract() == 0.0 && *number >= 1.0 && *number <= 1e6 => {
                    Some(*number as usize - 1)
                }
                Some(_) => return Err("frame must be a whole number from 1".to_string()),
            };
            let step = match get("step") {
                None => None,
                Some(MsgValue::Num(number)) if number.fract() == 0.0 && (1.0..=7.0).contains(number) => {
                    LessonStep::from_number(*number as u8)
                }
                Some(_) => return Err("step must be a whole number from 1 to 7".to_string()),
            };
            let playing = match get("playing") {
                None => None,
                Some(MsgValue::Bool(playing)) => Some(*playing),
                Some(_) => return Err("playing must be true or false".to_string()),
            };
            if frame.is_some() && step.is_some() {
                return Err(
                    "give frame or step, not both (a frame is one exact moment, a step opens at its first frame)"
                        .to_string(),
                );
            }
            Ok(Some(Action::Remote(RemoteSet { preset, frame, step, playing })))
        }
        _ => Ok(None),
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
pub fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The query string (without `?`) for a state.
pub fn to_query(state: &LinkState) -> String {
    to_pairs(state)
        .iter()
        .map(|(key, value)| format!("{key}={}", encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn round_trip_of_edits_frame_and_modes() {
        let mut state = LinkState { scenario: Scenario::preset(Preset::RawProbe), ..LinkState::default() };
        state.scenario.nr = (-1i64) as u64;
        state.scenario.args[2] = 0x7fff_0000_0000;
        state.frame = Some(41);
        state.theme = Theme::Dark;
        state.mode = Mode::Present;
        state.radix = Radix::Decimal;
        state.measured = Some(
            Measurement::parse("Intel(R) Xeon(R) W3580 @ 3.33GHz", "6.1.0-18-amd64", "read:230,getpid:91.44").unwrap(),
        );
        let (parsed, notices) = parse(&to_pairs(&state));
        assert!(notices.is_empty(), "{notices:?}");
        let measured = parsed.measured.as_ref().expect("the figures come back");
        assert_eq!(measured.median(crate::model::measured::Operation::SyscallGetpid), Some(91.4));
        assert_eq!(parsed, state);
    }

    #[test]
    fn measured_figures_are_checked() {
        let (state, notices) = parse(&pairs(&[("cpu", "X"), ("kernel", "6.1"), ("ns", "getpid:nan")]));
        assert_eq!(state.measured, None);
        assert_eq!(notices.len(), 1);
        let (state, notices) = parse(&pairs(&[("cpu", "X"), ("ns", "getpid:90")]));
        assert_eq!(state.measured, None);
        assert_eq!(notices.len(), 1);
    }

    #[test]
    fn messages_are_checked_against_the_schema() {
        let msg = |fields: &[(&str, MsgValue)]| -> Vec<(String, MsgValue)> {
            fields.iter().map(|(key, value)| (key.to_string(), value.clone())).collect()
        };
        let set = msg(&[
            ("type", MsgValue::Str(MSG_SET.into())),
            ("scenario", MsgValue::Str("write".into())),
            ("frame", MsgValue::Num(3.0)),
        ]);
        assert_eq!(
            parse_message(&set),
            Ok(Some(Action::Remote(RemoteSet {
                preset: Some(Preset::Write),
                frame: Some(2),
                step: None,
                playing: None
            })))
        );
        assert!(parse_message(&msg(&[("type", MsgValue::Str(MSG_SET.into())), ("frame", MsgValue::Num(1.5))])).is_err());
        assert!(parse_message(&msg(&[("type", MsgValue::Str(MSG_SET.into())), ("evil", MsgValue::Other)])).is_err());
        assert_eq!(parse_message(&msg(&[("type", MsgValue::Str("other-app".into()))])), Ok(None));
        assert_eq!(parse_message(&msg(&[("hello", MsgValue::Bool(true))])), Ok(None));
    }

    #[test]
    fn origins_must_be_origins() {
        let (state, notices) = parse(&pairs(&[("origins", "https://a.edu, http://localhost:8000,javascript:x")]));
        assert_eq!(state.origins, ["https://a.edu", "http://localhost:8000"]);
        assert_eq!(notices.len(), 1);
    }

    #[test]
    fn malformed_parameters_fall_back_with_a_notice_each() {
        let (state, notices) =
            parse(&pairs(&[("s", "nope"), ("f", "-3"), ("theme", "purple"), ("count", "lots"), ("zzz", "1")]));
        assert_eq!(state, LinkState::default());
        let params: Vec<&str> = notices.iter().map(|notice| notice.param.as_str()).collect();
        assert_eq!(params, ["s", "f", "theme", "count", "zzz"]);
    }
}
