//! Solution of ch06-lenet-parameters.

/// conv1 `6*1*25 + 6 = 156`, conv2 `16*6*25 + 16 = 2416`, fc1 `120*400 + 120 = 48120`,
/// fc2 `84*120 + 84 = 10164`, fc3 `10*84 + 10 = 850`: in total 61706, most of them in fc1.
pub fn lenet_parameters() -> usize {
    61_706
}
