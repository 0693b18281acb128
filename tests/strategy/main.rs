//! Proofs of the strategy module: determinism, properties of every plan, DST, and a backtest of
//! the learned best times on synthetic history with known peak hours.

mod backtest;
mod common;
mod determinism;
mod dst;
mod properties;
mod run_loop;
mod sandbox;
