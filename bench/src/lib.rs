//! Shared pieces of the storm demo and the benchmark driver.
