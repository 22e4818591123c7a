// `Delegable` names cogen's own delegation protocol: a type of the user's
// cannot take part in it (delegate to any iterator or generator instead).
struct Mine;

unsafe impl cogen::Delegable<u32> for Mine {}

fn main() {}
