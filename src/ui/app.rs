//! [`App`], the root component: the state in one reducer, the effects (`effects.rs`), and the layout
//! (`explorer.rs`). The reducer itself is `state::reduce`, plain Rust; this file only lends it to Yew.

use std::rc::Rc;

use yew::prelude::*;

use crate::link::{self, LinkState};
use crate::state::{self, Action, State};

use super::effects::{self, FramePost};
use super::explorer::Explorer;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        state::reduce(self, action)
    }
}

/// The state the page's URL asks for, with a notice for every parameter it could not use.
pub fn state_from_url() -> State {
    let (link, notices) = link::parse(&effects::query_pairs());
    link::restore(link, notices)
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(state_from_url);
    effects::use_keyboard(state.dispatcher());
    effects::use_url_sync(LinkState::of(&state));
    effects::use_theme_attribute(state.theme);
    effects::use_printing(state.dispatcher(), state.print_request);
    effects::use_autoplay(state.dispatcher(), state.playing, state.speed.interval_ms());
    effects::use_embedding(
        state.dispatcher(),
        FramePost {
            timeline: state.timeline.clone(),
            cursor: state.cursor,
            playing: state.playing,
            origins: state.origins.clone(),
            request: state.frame_request,
        },
    );
    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    html! { <Explorer state={(*state).clone()} {on_action} /> }
}
