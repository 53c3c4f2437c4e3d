//! The page's state and the one reducer, in plain Rust: no Yew, no DOM. [`State`] holds the [`Timeline`] of the
//! current scenario behind an `Rc` ([`TimelineRef`]) and a cursor into its frames; [`Action`] names everything that
//! can happen to it, and [`reduce`] is the only place it changes. Stepping moves the cursor; editing the scenario runs
//! a new timeline. Time enters only as [`Action::Tick`]s from the autoplay timer (`ui/effects.rs`).
//!
//! The view settings ([`Theme`], [`Mode`], [`Speed`], [`Radix`]) each have one `id` and one `from_id`: the URL
//! (`link.rs`), the selects and the `<html>` attribute all spell them through those.

use std::rc::Rc;

use crate::model::measured::Measurement;
use crate::model::moments::{next_stop, previous_stop, Granularity};
use crate::model::{Frame, LessonStep, Preset, Scenario, Timeline};

/// Colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system setting.
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// All themes, the default first.
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    /// A stable id for URLs, the select and the `data-theme` attribute.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme with this id.
    pub fn from_id(id: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|theme| theme.id() == id)
    }

    /// What the theme select shows.
    pub fn label(self) -> &'static str {
        match self {
            Theme::Auto => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// How much chrome the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Minimal chrome for an iframe.
    Embed,
    /// Large type for a lecture hall.
    Present,
}

impl Mode {
    /// All modes, the default first.
    pub const ALL: [Mode; 3] = [Mode::Normal, Mode::Embed, Mode::Present];

    /// A stable id for URLs and the page's CSS class (`mode-<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Embed => "embed",
            Mode::Present => "present",
        }
    }

    /// The mode with this id.
    pub fn from_id(id: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.id() == id)
    }
}

/// Autoplay speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    Slow,
    Normal,
    Fast,
}

impl Speed {
    /// All speeds, slow first.
    pub const ALL: [Speed; 3] = [Speed::Slow, Speed::Normal, Speed::Fast];

    /// Milliseconds between frames.
    pub fn interval_ms(self) -> u32 {
        match self {
            Speed::Slow => 1600,
            Speed::Normal => 800,
            Speed::Fast => 250,
        }
    }

    /// A stable id for URLs and the select.
    pub fn id(self) -> &'static str {
        match self {
            Speed::Slow => "slow",
            Speed::Normal => "normal",
            Speed::Fast => "fast",
        }
    }

    /// The speed with this id.
    pub fn from_id(id: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|speed| speed.id() == id)
    }
}

/// How register values are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    Hex,
    Decimal,
}

impl Radix {
    /// Both, the default first.
    pub const ALL: [Radix; 2] = [Radix::Hex, Radix::Decimal];

    /// A stable id for URLs.
    pub fn id(self) -> &'static str {
        match self {
            Radix::Hex => "hex",
            Radix::Decimal => "dec",
        }
    }

    /// The radix with this id.
    pub fn from_id(id: &str) -> Option<Radix> {
        Radix::ALL.into_iter().find(|radix| radix.id() == id)
    }

    /// The other one.
    pub fn toggled(self) -> Radix {
        match self {
            Radix::Hex => Radix::Decimal,
            Radix::Decimal => Radix::Hex,
        }
    }
}

/// A timeline shared by the views; equal only to itself, so comparing props never walks the frames.
#[derive(Clone, Debug)]
pub struct TimelineRef(pub Rc<Timeline>);

impl TimelineRef {
    /// Runs `scenario` and shares the result.
    pub fn run(scenario: &Scenario) -> TimelineRef {
        TimelineRef(Rc::new(Timeline::run(scenario)))
    }
}

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

/// One frame of a shared timeline: what a view of "the current frame" takes as its prop. It dereferences to the
/// [`Frame`]; the timeline is there for what a frame alone does not say (the scenario, the frame before).
#[derive(Clone, Debug, PartialEq)]
pub struct FrameRef {
    pub timeline: TimelineRef,
    /// Always a valid index into `timeline.frames` (see [`State::frame_ref`]).
    pub index: usize,
}

impl FrameRef {
    /// The frame before this one, if any.
    pub fn previous(&self) -> Option<&Frame> {
        self.index.checked_sub(1).and_then(|index| self.timeline.frames.get(index))
    }
}

impl std::ops::Deref for FrameRef {
    type Target = Frame;
    fn deref(&self) -> &Frame {
        &self.timeline.frames[self.index]
    }
}

/// A request for an effect that has no value of its own (post the frame again, replay the animation, reset the
/// editor, print): each request makes a new value, and the effect runs when the value changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trigger(u32);

impl Trigger {
    /// The next request.
    pub fn bumped(self) -> Trigger {
        Trigger(self.0.wrapping_add(1))
    }

    /// Whether anything has been requested yet.
    pub fn requested(self) -> bool {
        self.0 != 0
    }

    /// How many requests there have been (for keys that must change with each one).
    pub fn count(self) -> u32 {
        self.0
    }
}

/// Part of a link that could not be used, and why: shown once at the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub param: String,
    pub message: String,
}

/// Everything the page shows is a function of this.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub timeline: TimelineRef,
    /// The frame shown: always at most [`State::last`].
    pub cursor: usize,
    pub playing: bool,
    /// How far Next, Back, the scrubber and autoplay go.
    pub granularity: Granularity,
    pub speed: Speed,
    pub radix: Radix,
    pub theme: Theme,
    pub mode: Mode,
    /// Parent origins allowed to drive the page by postMessage (empty: any).
    pub origins: Rc<Vec<String>>,
    /// Figures measured on a real machine (`trace measure --link`), for the cost view.
    pub measured: Option<Rc<Measurement>>,
    /// Parameters of the link that had to be replaced by defaults.
    pub notices: Rc<Vec<Notice>>,
    /// The embedding page asked for the current frame (`syscall-explorer:get`).
    pub frame_request: Trigger,
    /// Replay the crossing animation.
    pub crossing_replay: Trigger,
    /// Show the cost view (the last frame's "What did it cost?").
    pub cost_request: Trigger,
    /// The scenario was replaced from outside the editor (a preset): the editor resets its fields.
    pub editor_reset: Trigger,
    /// The printable handout has been asked for (Print, or the browser's own print): until then it is not built,
    /// which keeps ~600 elements out of the first render.
    pub handout: bool,
    /// The Print button: print once the handout is rendered.
    pub print_request: Trigger,
}

impl State {
    /// The state for a scenario, at its first frame, with the default view settings.
    pub fn new(scenario: &Scenario) -> State {
        State {
            timeline: TimelineRef::run(scenario),
            cursor: 0,
            playing: false,
            granularity: Granularity::KeyMoments,
            speed: Speed::Normal,
            radix: Radix::Hex,
            theme: Theme::Auto,
            mode: Mode::Normal,
            origins: Rc::new(Vec::new()),
            measured: None,
            notices: Rc::new(Vec::new()),
            frame_request: Trigger::default(),
            crossing_replay: Trigger::default(),
            cost_request: Trigger::default(),
            editor_reset: Trigger::default(),
            handout: false,
            print_request: Trigger::default(),
        }
    }

    /// The index of the last frame.
    pub fn last(&self) -> usize {
        self.timeline.frames.len().saturating_sub(1)
    }

    /// The frame shown.
    pub fn frame(&self) -> &Frame {
        &self.timeline.frames[self.cursor.min(self.last())]
    }

    /// The frame shown, as a prop.
    pub fn frame_ref(&self) -> FrameRef {
        FrameRef { timeline: self.timeline.clone(), index: self.cursor.min(self.last()) }
    }

    /// The frames Next stops at, for the current granularity.
    pub fn stops(&self) -> Vec<usize> {
        self.timeline.stops(self.granularity)
    }

    /// The first frame of a lesson step, if this scenario has it.
    pub fn step_start(&self, step: LessonStep) -> Option<usize> {
        self.timeline.step_start(step)
    }
}

impl Default for State {
    fn default() -> State {
        State::new(&Scenario::default())
    }
}

/// A command from the embedding page (`syscall-explorer:set`): any of a scenario, a frame or a lesson step (the
/// frame wins when both are given), and playing. It means the same as its [`RemoteSet::actions`] in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteSet {
    pub preset: Option<Preset>,
    /// 0-based.
    pub frame: Option<usize>,
    pub step: Option<LessonStep>,
    pub playing: Option<bool>,
}

impl RemoteSet {
    /// The primitive actions this command stands for, in the order they apply.
    pub fn actions(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(preset) = self.preset {
            actions.push(Action::SetPreset(preset));
        }
        match (self.frame, self.step) {
            (Some(frame), _) => actions.push(Action::JumpTo(frame)),
            (None, Some(step)) => actions.push(Action::JumpToStep(step)),
            (None, None) => {}
        }
        match self.playing {
            Some(true) => actions.push(Action::Play),
            Some(false) => actions.push(Action::Pause),
            None => {}
        }
        actions
    }
}

/// What can happen to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// To the next stop (a step, a key moment or a frame, as the granularity says).
    Next,
    /// To the stop before.
    Back,
    /// To a frame (clamped to the last).
    JumpTo(usize),
    /// To the first frame of a lesson step (nothing, if this scenario skips it).
    JumpToStep(LessonStep),
    First,
    Last,
    Play,
    Pause,
    TogglePlay,
    /// The autoplay timer fired.
    Tick,
    SetSpeed(Speed),
    SetGranularity(Granularity),
    ToggleRadix,
    ReplayCrossing,
    /// Show the cost view.
    ShowCost,
    SetTheme(Theme),
    SetMode(Mode),
    DismissNotices,
    /// A preset from the picker.
    SetPreset(Preset),
    /// A checked command from the embedding page.
    Remote(RemoteSet),
    /// The embedding page asked for the current frame.
    RequestFrame,
    /// An edited scenario (already validated by the editor).
    SetScenario(Rc<Scenario>),
    /// The browser is about to print (its own Print, Ctrl+P): build the handout now.
    PrepareHandout,
    /// The Print button: build the handout, then print.
    Print,
}

/// The state after `action`. A no-op returns the same `Rc`, so the view skips the render.
pub fn reduce(state: Rc<State>, action: Action) -> Rc<State> {
    let last = state.last();
    let with_cursor = |cursor: usize, playing: bool| -> Rc<State> {
        let cursor = cursor.min(last);
        if cursor == state.cursor && playing == state.playing {
            return state.clone();
        }
        Rc::new(State { cursor, playing, ..(*state).clone() })
    };
    let changed = |change: &dyn Fn(&mut State)| -> Rc<State> {
        let mut next = (*state).clone();
        change(&mut next);
        if next == *state {
            state.clone()
        } else {
            Rc::new(next)
        }
    };
    match action {
        Action::Next => with_cursor(next_stop(&state.stops(), state.cursor).unwrap_or(last), false),
        Action::Back => with_cursor(previous_stop(&state.stops(), state.cursor).unwrap_or(0), false),
        Action::JumpTo(index) => with_cursor(index, false),
        Action::JumpToStep(step) => match state.step_start(step) {
            Some(start) => with_cursor(start, false),
            None => state.clone(),
        },
        Action::First => with_cursor(0, false),
        Action::Last => with_cursor(last, false),
        // Playing from the end starts again from the beginning.
        Action::Play => with_cursor(if state.cursor >= last { 0 } else { state.cursor }, true),
        Action::Pause => with_cursor(state.cursor, false),
        Action::TogglePlay if state.playing => with_cursor(state.cursor, false),
        Action::TogglePlay => reduce(state.clone(), Action::Play),
        Action::Tick if !state.playing => state.clone(),
        Action::Tick => {
            let next = next_stop(&state.stops(), state.cursor).unwrap_or(last);
            with_cursor(next, next < last)
        }
        Action::SetSpeed(speed) => changed(&|next| next.speed = speed),
        Action::SetGranularity(granularity) => changed(&|next| next.granularity = granularity),
        Action::ToggleRadix => changed(&|next| next.radix = next.radix.toggled()),
        Action::SetTheme(theme) => changed(&|next| next.theme = theme),
        Action::SetMode(mode) => changed(&|next| next.mode = mode),
        Action::DismissNotices if state.notices.is_empty() => state.clone(),
        Action::DismissNotices => changed(&|next| next.notices = Rc::new(Vec::new())),
        Action::PrepareHandout => changed(&|next| next.handout = true),
        Action::Print => changed(&|next| {
            next.handout = true;
            next.print_request = next.print_request.bumped();
        }),
        Action::ReplayCrossing => changed(&|next| next.crossing_replay = next.crossing_replay.bumped()),
        Action::ShowCost => changed(&|next| next.cost_request = next.cost_request.bumped()),
        Action::RequestFrame => changed(&|next| next.frame_request = next.frame_request.bumped()),
        Action::SetPreset(preset) => Rc::new(State {
            // The kernel's mitigations are a setting of the machine, not of the scenario: they stay.
            timeline: TimelineRef::run(&Scenario {
                mitigations: state.timeline.scenario.mitigations,
                ..Scenario::preset(preset)
            }),
            cursor: 0,
            playing: false,
            editor_reset: state.editor_reset.bumped(),
            ..(*state).clone()
        }),
        Action::Remote(set) => set.actions().into_iter().fold(state, reduce),
        Action::SetScenario(scenario) if *scenario == state.timeline.scenario => state.clone(),
        Action::SetScenario(scenario) => {
            let timeline = TimelineRef::run(&scenario);
            let cursor = state.cursor.min(timeline.frames.len().saturating_sub(1));
            Rc::new(State { timeline, cursor, playing: false, ..(*state).clone() })
        }
    }
}

/// The action of a key: arrows, PageDown/PageUp (what presentation clickers send), Home/End, Space.
pub fn key_action(key: &str) -> Option<Action> {
    Some(match key {
        "ArrowRight" | "PageDown" => Action::Next,
        "ArrowLeft" | "PageUp" => Action::Back,
        "Home" => Action::First,
        "End" => Action::Last,
        " " | "Spacebar" => Action::TogglePlay,
        _ => return None,
    })
}
