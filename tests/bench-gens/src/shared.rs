//! What every copy of the workloads shares: item types, the tree and the
//! tokenizer's input. Plain data, no generator code.

/// What a consumer folds an item into.
pub trait Key: Copy {
    /// A number that depends on the whole item.
    fn key(self) -> u64;
}

impl Key for u64 {
    #[inline]
    fn key(self) -> u64 {
        self
    }
}

impl Key for u32 {
    #[inline]
    fn key(self) -> u64 {
        u64::from(self)
    }
}

// ---------------------------------------------------------------- tree

/// A node holding `value`, with its subtrees.
pub struct Tree {
    /// This node's value.
    pub value: u32,
    /// The subtree of smaller values.
    pub left: Option<Box<Tree>>,
    /// The subtree of larger values.
    pub right: Option<Box<Tree>>,
}

/// A balanced tree holding `lo..hi`, in order.
pub fn balanced(lo: u32, hi: u32) -> Option<Box<Tree>> {
    (lo < hi).then(|| {
        let mid = lo + (hi - lo) / 2;
        Box::new(Tree {
            value: mid,
            left: balanced(lo, mid),
            right: balanced(mid + 1, hi),
        })
    })
}

// ---------------------------------------------------------------- tokenizer

/// A JSON token; strings and floats as spans of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// `{`
    BeginObject,
    /// `}`
    EndObject,
    /// `[`
    BeginArray,
    /// `]`
    EndArray,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// A string's contents (escapes left as they are).
    Str {
        /// Offset of its first byte after the quote.
        start: u32,
        /// Its length in bytes.
        len: u32,
    },
    /// An integer.
    Int(i64),
    /// A number with a fraction, as a span.
    Float {
        /// Offset of its first byte.
        start: u32,
        /// Its length in bytes.
        len: u32,
    },
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// A byte that starts no token, or an unterminated string, at this offset.
    Error(u32),
}

impl Key for Token {
    #[inline]
    fn key(self) -> u64 {
        match self {
            Token::BeginObject => 1,
            Token::EndObject => 2,
            Token::BeginArray => 3,
            Token::EndArray => 4,
            Token::Colon => 5,
            Token::Comma => 6,
            Token::Str { start, len } => 7 | u64::from(start) << 4 | u64::from(len) << 36,
            Token::Int(v) => 8 | (v as u64) << 4,
            Token::Float { start, len } => 9 | u64::from(start) << 4 | u64::from(len) << 36,
            Token::True => 10,
            Token::False => 11,
            Token::Null => 12,
            Token::Error(at) => 13 | u64::from(at) << 4,
        }
    }
}

/// A JSON-ish document of about `bytes` bytes (a top-level array of
/// objects, arrays, strings with escapes, integers, floats, literals),
/// the same every time, and how many tokens it has (counted while writing
/// it, so that no tokenizer gets another call site).
pub fn json_input(bytes: usize) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(bytes + 4096);
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut tokens = 2;
    out.push(b'[');
    let mut first = true;
    while out.len() < bytes {
        if !first {
            out.extend_from_slice(b",\n");
            tokens += 1;
        }
        first = false;
        tokens += value(&mut out, &mut rng, 0);
    }
    out.extend_from_slice(b"]\n");
    (out, tokens)
}

fn next(rng: &mut u64) -> u64 {
    // xorshift64
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    *rng
}

fn string(out: &mut Vec<u8>, rng: &mut u64) {
    out.push(b'"');
    for _ in 0..1 + next(rng) % 16 {
        match next(rng) % 24 {
            0 => out.extend_from_slice(b"\\\""),
            1 => out.extend_from_slice(b"\\n"),
            2 => out.push(b' '),
            r => out.push(b'a' + (r as u8 % 26)),
        }
    }
    out.push(b'"');
}

/// Writes a value; returns its tokens.
fn value(out: &mut Vec<u8>, rng: &mut u64, depth: u32) -> u64 {
    let kinds = if depth < 4 { 9 } else { 6 };
    let mut tokens = 1;
    match next(rng) % kinds {
        0 | 1 => string(out, rng),
        2 | 3 => {
            if next(rng).is_multiple_of(4) {
                out.push(b'-');
            }
            out.extend_from_slice((next(rng) % 100_000).to_string().as_bytes());
        }
        4 => {
            let v = next(rng) % 1_000_000;
            out.extend_from_slice(format!("{}.{:03}", v / 1000, v % 1000).as_bytes());
        }
        5 => out.extend_from_slice(match next(rng) % 3 {
            0 => b"true".as_slice(),
            1 => b"false",
            _ => b"null",
        }),
        6 | 7 => {
            out.push(b'{');
            tokens += 1;
            for k in 0..1 + next(rng) % 6 {
                if k > 0 {
                    out.extend_from_slice(b", ");
                    tokens += 1;
                }
                string(out, rng);
                out.extend_from_slice(b": ");
                tokens += 2 + value(out, rng, depth + 1);
            }
            out.push(b'}');
        }
        _ => {
            out.push(b'[');
            tokens += 1;
            for k in 0..next(rng) % 6 {
                if k > 0 {
                    out.push(b',');
                    tokens += 1;
                }
                tokens += value(out, rng, depth + 1);
            }
            out.push(b']');
        }
    }
    tokens
}

// ---------------------------------------------------------------- nightly

/// The compiler's own `async gen` block as a [`cogen::Stream`], the
/// adapter a user writes (feature `nightly`).
#[cfg(feature = "nightly")]
pub struct AsyncGen<A>(pub A);

#[cfg(feature = "nightly")]
impl<A: core::async_iter::AsyncIterator> cogen::Stream for AsyncGen<A> {
    type Item = A::Item;

    #[inline]
    fn poll_next(
        self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Option<A::Item>> {
        // SAFETY: `A` is pinned structurally: never moved out of `self`.
        unsafe { self.map_unchecked_mut(|s| &mut s.0) }.poll_next(cx)
    }
}
