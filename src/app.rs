//! The app: the one reducer ([`State`] and [`Action`]), and the effects that live outside it (the keyboard
//! listener and the autoplay timer).
//!
//! The state holds an `Rc<Timeline>` and a cursor. Stepping moves the cursor; editing the scenario runs a new
//! timeline. Time enters only as `Tick` actions from the timer.

use std::rc::Rc;

use yew::prelude::*;

use crate::model::{Preset, Scenario, Timeline};
use crate::ui;

/// A timeline shared by the components; equal only to itself, so comparing props never walks the frames.
#[derive(Clone, Debug)]
pub struct TimelineRef(pub Rc<Timeline>);

impl PartialEq for TimelineRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for TimelineRef {
    type Target = Timeline;
    fn deref(&self) -> &Timeline {
        &self.0
    }
}

pub use crate::link::{Command, LinkState, Mode, Notice, Radix, Speed, Theme};

/// Everything the page shows is a function of this.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub timeline: TimelineRef,
    pub cursor: usize,
    pub playing: bool,
    pub speed: Speed,
    pub radix: Radix,
    pub theme: Theme,
    pub mode: Mode,
    /// Parent origins allowed to drive the page by postMessage.
    pub origins: Rc<Vec<String>>,
    /// Parameters of the link that had to be replaced by defaults, shown once at the top.
    pub notices: Rc<Vec<Notice>>,
    /// Bumped by a `syscall-explorer:get` message, so the current frame is posted again.
    pub pings: u32,
    /// Bumped to replay the crossing animation.
    pub replay: u32,
    /// Bumped when the scenario is replaced from outside the editor (a preset), so the editor resets its fields.
    pub generation: u32,
    /// The printable handout has been asked for (Print, or the browser's own print): until then it is not built,
    /// which keeps ~600 elements out of the first render.
    pub handout: bool,
    /// Bumped by the Print button; the page prints once the handout is rendered.
    pub prints: u32,
}

impl State {
    /// The state for a scenario, at its first frame.
    pub fn new(scenario: &Scenario) -> State {
        State {
            timeline: TimelineRef(Rc::new(Timeline::run(scenario))),
            cursor: 0,
            playing: false,
            speed: Speed::Normal,
            radix: Radix::Hex,
            theme: Theme::Auto,
            mode: Mode::Normal,
            origins: Rc::new(Vec::new()),
            notices: Rc::new(Vec::new()),
            pings: 0,
            replay: 0,
            generation: 0,
            handout: false,
            prints: 0,
        }
    }

    /// The state a link restores, with a notice for every parameter replaced by its default.
    pub fn from_link(link: LinkState, mut notices: Vec<Notice>) -> State {
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
            match state.timeline.step_starts().iter().find(|(candidate, _)| *candidate == step) {
                Some((_, index)) => state.cursor = *index,
                None => notices.push(Notice {
                    param: "step".to_string(),
                    message: format!("this scenario has no step {}; starting at the beginning", step.number()),
                }),
            }
        }
        state.theme = link.theme;
        state.mode = link.mode;
        state.speed = link.speed;
        state.radix = link.radix;
        state.origins = Rc::new(link.origins);
        state.notices = Rc::new(notices);
        state
    }

    /// The link state that reproduces this view.
    pub fn to_link(&self) -> LinkState {
        LinkState {
            scenario: self.timeline.scenario.clone(),
            frame: (self.cursor > 0).then_some(self.cursor),
            step: None,
            theme: self.theme,
            mode: self.mode,
            speed: self.speed,
            radix: self.radix,
            origins: (*self.origins).clone(),
        }
    }

    /// The index of the last frame.
    pub fn last(&self) -> usize {
        self.timeline.frames.len().saturating_sub(1)
    }
}

impl Default for State {
    fn default() -> State {
        State::new(&Scenario::default())
    }
}

/// What can happen to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    StepForward,
    StepBack,
    JumpTo(usize),
    Home,
    End,
    Play,
    Pause,
    TogglePlay,
    /// The autoplay timer fired.
    Tick,
    SetSpeed(Speed),
    ToggleRadix,
    Replay,
    SetTheme(Theme),
    SetMode(Mode),
    DismissNotices,
    /// A preset from the picker.
    SetPreset(Preset),
    /// A checked command from the embedding page.
    Remote(Command),
    /// An edited scenario (already validated by the editor).
    SetScenario(Rc<Scenario>),
    /// The browser is about to print (its own Print, Ctrl+P): build the handout now.
    PrepareHandout,
    /// The Print button: build the handout, then print.
    Print,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let last = self.last();
        let with_cursor = |cursor: usize, playing: bool| -> Rc<Self> {
            let cursor = cursor.min(last);
            if cursor == self.cursor && playing == self.playing {
                return self.clone();
            }
            Rc::new(State { cursor, playing, ..(*self).clone() })
        };
        match action {
            Action::StepForward => with_cursor(self.cursor + 1, false),
            Action::StepBack => with_cursor(self.cursor.saturating_sub(1), false),
            Action::JumpTo(index) => with_cursor(index, false),
            Action::Home => with_cursor(0, false),
            Action::End => with_cursor(last, false),
            Action::Play => {
                // Playing from the end starts again from the beginning.
                let cursor = if self.cursor >= last { 0 } else { self.cursor };
                with_cursor(cursor, true)
            }
            Action::Pause => with_cursor(self.cursor, false),
            Action::TogglePlay => {
                if self.playing {
                    with_cursor(self.cursor, false)
                } else {
                    Self::reduce(self, Action::Play)
                }
            }
            Action::Tick => {
                if !self.playing {
                    return self;
                }
                let next = self.cursor + 1;
                with_cursor(next, next < last)
            }
            Action::SetSpeed(speed) if speed != self.speed => Rc::new(State { speed, ..(*self).clone() }),
            Action::SetSpeed(_) => self,
            Action::ToggleRadix => {
                let radix = if self.radix == Radix::Hex { Radix::Decimal } else { Radix::Hex };
                Rc::new(State { radix, ..(*self).clone() })
            }
            Action::SetTheme(theme) => Rc::new(State { theme, ..(*self).clone() }),
            Action::SetMode(mode) => Rc::new(State { mode, ..(*self).clone() }),
            Action::DismissNotices => Rc::new(State { notices: Rc::new(Vec::new()), ..(*self).clone() }),
            Action::PrepareHandout if self.handout => self,
            Action::PrepareHandout => Rc::new(State { handout: true, ..(*self).clone() }),
            Action::Print => Rc::new(State { handout: true, prints: self.prints.wrapping_add(1), ..(*self).clone() }),
            Action::Replay => Rc::new(State { replay: self.replay.wrapping_add(1), ..(*self).clone() }),
            Action::SetPreset(preset) => Rc::new(State {
                timeline: TimelineRef(Rc::new(Timeline::run(&Scenario::preset(preset)))),
                cursor: 0,
                playing: false,
                generation: self.generation.wrapping_add(1),
                ..(*self).clone()
            }),
            Action::Remote(Command::Get) => Rc::new(State { pings: self.pings.wrapping_add(1), ..(*self).clone() }),
            Action::Remote(Command::Set { preset, frame, step, playing }) => {
                let mut state = self;
                if let Some(preset) = preset {
                    state = Self::reduce(state, Action::SetPreset(preset));
                }
                if let Some(frame) = frame {
                    state = Self::reduce(state, Action::JumpTo(frame));
                } else if let Some(step) = step {
                    let start = state
                        .timeline
                        .step_starts()
                        .iter()
                        .find(|(candidate, _)| *candidate == step)
                        .map(|(_, idx)| *idx);
                    if let Some(start) = start {
                        state = Self::reduce(state, Action::JumpTo(start));
                    }
                }
                match playing {
                    Some(true) => Self::reduce(state, Action::Play),
                    Some(false) => Self::reduce(state, Action::Pause),
                    None => state,
                }
            }
            Action::SetScenario(scenario) => {
                if *scenario == self.timeline.scenario {
                    return self;
                }
                let timeline = Timeline::run(&scenario);
                let cursor = self.cursor.min(timeline.frames.len().saturating_sub(1));
                Rc::new(State { timeline: TimelineRef(Rc::new(timeline)), cursor, playing: false, ..(*self).clone() })
            }
        }
    }
}

/// How long the state must stay put before the URL is rewritten to match it.
pub const URL_SETTLE_MS: u32 = 250;

/// The current URL's query pairs, decoded.
fn query_pairs() -> Vec<(String, String)> {
    let Some(search) = web_sys::window().and_then(|window| window.location().search().ok()) else { return Vec::new() };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else { return Vec::new() };
    let mut pairs = Vec::new();
    if let Ok(Some(iterator)) = js_sys::try_iter(&params) {
        for entry in iterator.flatten() {
            let entry = js_sys::Array::from(&entry);
            if let (Some(key), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
                pairs.push((key, value));
            }
        }
    }
    pairs
}

/// Replaces the query of the current URL (no new history entry). In a sandboxed iframe this can throw; that is fine.
fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(history) = window.history() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let url = if query.is_empty() { path } else { format!("{path}?{query}") };
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

/// The own enumerable fields of a message's data, for the schema check.
fn message_fields(data: &wasm_bindgen::JsValue) -> Vec<(String, crate::link::MsgValue)> {
    use crate::link::MsgValue;
    if !data.is_object() || js_sys::Array::is_array(data) {
        return Vec::new();
    }
    let Ok(entries) = js_sys::Reflect::own_keys(data) else { return Vec::new() };
    entries
        .iter()
        .take(16)
        .filter_map(|key| {
            let name = key.as_string()?;
            let value = js_sys::Reflect::get(data, &key).ok()?;
            let value = if let Some(text) = value.as_string() {
                MsgValue::Str(text)
            } else if let Some(number) = value.as_f64() {
                MsgValue::Num(number)
            } else if let Some(flag) = value.as_bool() {
                MsgValue::Bool(flag)
            } else {
                MsgValue::Other
            };
            Some((name, value))
        })
        .collect()
}

/// Posts a flat object to the parent window, if the page is framed: to each allowed origin, or to any.
fn post_to_parent(fields: &[(&str, wasm_bindgen::JsValue)], origins: &[String]) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let message = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&message, &wasm_bindgen::JsValue::from_str(key), value);
    }
    if origins.is_empty() {
        let _ = parent.post_message(&message, "*");
    } else {
        for origin in origins {
            let _ = parent.post_message(&message, origin);
        }
    }
}

/// Maps a key to an action: arrows, PageDown/PageUp (what presentation clickers send), Home/End, Space.
pub fn key_action(key: &str) -> Option<Action> {
    Some(match key {
        "ArrowRight" | "PageDown" => Action::StepForward,
        "ArrowLeft" | "PageUp" => Action::StepBack,
        "Home" => Action::Home,
        "End" => Action::End,
        " " | "Spacebar" => Action::TogglePlay,
        _ => return None,
    })
}

/// The document's keydown listener: arrows, PageDown/PageUp, Home/End and Space step through the frames. Keys typed
/// into a field, or Space and Enter on a button, stay with it.
fn keyboard_listener(dispatcher: UseReducerDispatcher<State>) -> Option<gloo::events::EventListener> {
    web_sys::window().and_then(|window| window.document()).map(|document| {
        // Not passive: the handler calls preventDefault so Space and the arrows do not also scroll the page.
        let options = gloo::events::EventListenerOptions::enable_prevent_default();
        gloo::events::EventListener::new_with_options(&document, "keydown", options, move |event| {
            use wasm_bindgen::JsCast;
            let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if event.alt_key() || event.ctrl_key() || event.meta_key() {
                return;
            }
            let target_tag = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .map(|element| element.tag_name().to_ascii_lowercase())
                .unwrap_or_default();
            let key = event.key();
            let in_field = matches!(target_tag.as_str(), "input" | "textarea" | "select");
            let on_button = target_tag == "button" || target_tag == "summary";
            if in_field || (on_button && (key == " " || key == "Enter")) {
                return;
            }
            if let Some(action) = key_action(&key) {
                event.prevent_default();
                dispatcher.dispatch(action);
            }
        })
    })
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let (link, notices) = crate::link::parse(&query_pairs());
        State::from_link(link, notices)
    });

    // The URL follows the state, without a history entry per step, once the state has settled for a moment:
    // `history.replaceState` costs ~2 ms a call in Chromium, too much to pay on every key press of a quick run
    // through the frames. A newer state cancels the pending write (dropping the Timeout clears it).
    {
        let link = state.to_link();
        use_effect_with(link, |link| {
            let query = crate::link::to_query(link);
            let pending = gloo::timers::callback::Timeout::new(URL_SETTLE_MS, move || replace_query(&query));
            move || drop(pending)
        });
    }

    // The theme is an attribute on <html>, so the whole document (scrollbars included) follows it.
    use_effect_with(state.theme, |theme| {
        if let Some(root) =
            web_sys::window().and_then(|window| window.document()).and_then(|document| document.document_element())
        {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    });

    // Keyboard: one listener on the document, made by the first render itself rather than by an effect. Yew's
    // scheduler may yield to the browser between a long first render and its effects (after its 16 ms slice), and a
    // key pressed on the page in that gap, a lecturer's clicker as the page appears, would find no listener.
    // Dropped with the component (a ref cell: the lightest hook that keeps a value).
    let _keyboard = use_mut_ref({
        let dispatcher = state.dispatcher();
        move || keyboard_listener(dispatcher)
    });

    // Printing: the handout is built when the browser announces a print (a DOM change made in `beforeprint`, here
    // by the render the dispatch schedules as a microtask, is in what prints), and the Print button prints once the
    // handout it asked for is rendered.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                gloo::events::EventListener::new(&window, "beforeprint", move |_| {
                    dispatcher.dispatch(Action::PrepareHandout)
                })
            });
            move || drop(listener)
        });
    }
    use_effect_with(state.prints, |prints| {
        if *prints > 0 {
            if let Some(window) = web_sys::window() {
                let _ = window.print();
            }
        }
    });

    // Autoplay: an interval while playing; dropped (and so cancelled) when playing stops or the speed changes.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((state.playing, state.speed), move |(playing, speed)| {
            let interval = playing.then(|| {
                gloo::timers::callback::Interval::new(speed.interval_ms(), move || dispatcher.dispatch(Action::Tick))
            });
            move || drop(interval)
        });
    }

    // postMessage: commands from the embedding page in, the current frame out.
    {
        let dispatcher = state.dispatcher();
        let origins = state.origins.clone();
        use_effect_with(origins, move |origins| {
            let origins = origins.clone();
            let listener = web_sys::window().map(|window| {
                gloo::events::EventListener::new(&window, "message", move |event| {
                    use wasm_bindgen::JsCast;
                    let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
                    let origin = event.origin();
                    if !origins.is_empty() && !origins.contains(&origin) {
                        return;
                    }
                    match crate::link::parse_message(&message_fields(&event.data())) {
                        Ok(Some(command)) => dispatcher.dispatch(Action::Remote(command)),
                        Ok(None) => {}
                        Err(message) => post_to_parent(
                            &[("type", crate::link::MSG_ERROR.into()), ("message", message.into())],
                            &origins,
                        ),
                    }
                })
            });
            move || drop(listener)
        });
    }
    {
        let timeline = state.timeline.clone();
        let origins = state.origins.clone();
        use_effect_with(
            (state.cursor, state.playing, timeline, origins, state.pings),
            |(cursor, playing, timeline, origins, _)| {
                let frame = &timeline.frames[(*cursor).min(timeline.frames.len() - 1)];
                post_to_parent(
                    &[
                        ("type", crate::link::MSG_FRAME.into()),
                        ("scenario", timeline.scenario.preset.id().into()),
                        ("frame", ((*cursor + 1) as f64).into()),
                        ("frames", (timeline.frames.len() as f64).into()),
                        ("step", f64::from(frame.step.number()).into()),
                        ("cpl", f64::from(frame.cpl().number()).into()),
                        ("playing", (*playing).into()),
                    ],
                    origins,
                );
            },
        );
    }

    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    html! { <ui::Explorer state={(*state).clone()} {on_action} /> }
}
