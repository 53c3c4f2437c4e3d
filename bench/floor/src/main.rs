//! The framework floor: a Yew counter with a Next button and a frame counter, nothing else.

use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    let frame = use_state(|| 1u32);
    let next = {
        let frame = frame.clone();
        Callback::from(move |_| frame.set(*frame + 1))
    };
    html! {
        <main>
            <h1>{ "Syscall Explorer" }</h1>
            <p data-testid="frame-counter">{ format!("Frame {} of 85", *frame) }</p>
            <button type="button" data-testid="step-forward" onclick={next}>{ "Next" }</button>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
