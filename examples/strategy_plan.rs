//! Prints the plan of `Inputs::example()` as JSON.
fn main() -> socialkit::Result<()> {
    let now = "2026-03-01T00:00:00Z"
        .parse()
        .map_err(|_| socialkit::Error::validation("bad now"))?;
    let plan = socialkit::strategy::plan(&socialkit::strategy::Inputs::example(), now)?;
    println!("{}", plan.to_json()?);
    Ok(())
}
