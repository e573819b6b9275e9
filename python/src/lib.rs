//! tmp
use pyo3::prelude::*;
/// x
#[pyfunction]
fn hello() -> u32 {
    1
}
/// m
#[pymodule]
fn _ceaseless(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hello, m)?)?;
    Ok(())
}
