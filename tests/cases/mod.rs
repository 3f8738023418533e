mod reach;
pub mod support;
