//! The benchmark's start-up floor (Cargo feature `startup-floor`, built only by `scripts/bench.sh`): the app's whole
//! start-up, link parsing and model run included, with nothing on the page but the controls. Its cold loads show what
//! this app needs before a click counts. Not part of the shipped page.

use yew::prelude::*;

use crate::state::Action;

use super::controls::{controls, ControlsProps};
use super::effects;

/// The start-up floor's root: the App's state and keyboard, and the controls alone.
#[function_component(StartupFloor)]
pub fn startup_floor() -> Html {
    let state = use_reducer(super::app::state_from_url);
    effects::use_keyboard(state.dispatcher());
    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    html! {
        <div class="page in-user mode-normal" data-testid="app">
            { controls(&ControlsProps { timeline: state.timeline.clone(), cursor: state.cursor, playing: state.playing,
                granularity: state.granularity, speed: state.speed, on_action }) }
        </div>
    }
}
