//! Yew components: pure views of a frame, plus callbacks.
