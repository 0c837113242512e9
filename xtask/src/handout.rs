//! placeholder
use std::path::Path;
use anyhow::Result;
pub fn handout(_root: &Path, _dir: &Path, _a: Option<&str>) -> Result<()> { todo!() }
