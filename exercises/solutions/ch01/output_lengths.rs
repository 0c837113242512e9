//! Solution of ch01-output-lengths.

/// Full mode: the kernel's last tap touches the first sample at shift 0 and its first
/// tap the last sample at shift `L + K - 2`, so there are `L + K - 1 = 200 + 9 - 1` outputs.
pub fn full_mode_length() -> usize {
    208
}

/// Valid mode: the kernel fits at shifts `0..=L-K`, so there are `L - K + 1 = 200 - 9 + 1`.
pub fn valid_mode_length() -> usize {
    192
}
