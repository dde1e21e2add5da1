//! The one table of names: the county's townships, and the surnames and given names of its
//! people.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// The county's node id and name.
pub const COUNTY: (&str, &str) = ("kazuo", "喀左县");

/// Townships: (node id, name, the short code school ids start with). A county with more
/// townships than these numbers them round again.
pub(crate) const TOWNSHIPS: [(&str, &str, &str); 20] = [
    ("gongyingzi", "公营子镇", "gyz"),
    ("nanshao", "南哨街道", "ns"),
    ("liuguanying", "六官营子镇", "lgy"),
    ("zhongsanjia", "中三家镇", "zsj"),
    ("dachengzi", "大城子街道", "dcz"),
    ("lizhou", "利州街道", "lz"),
    ("pingfangzi", "平房子镇", "pfz"),
    ("shanzuizi", "山嘴子镇", "szz"),
    ("baitazi", "白塔子镇", "btz"),
    ("ganzhao", "甘招镇", "gz"),
    ("caochang", "草场乡", "cc"),
    ("kunduyingzi", "坤都营子乡", "kdy"),
    ("dayingzi", "大营子乡", "dyz"),
    ("laoyemiao", "老爷庙镇", "lym"),
    ("nangongyingzi", "南公营子镇", "ngy"),
    ("xinglongzhuang", "兴隆庄镇", "xlz"),
    ("shierdebao", "十二德堡镇", "sedb"),
    ("dongshao", "东哨镇", "ds"),
    ("guandahai", "官大海镇", "gdh"),
    ("shuiquan", "水泉镇", "sq"),
];

pub(crate) const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "于", "董", "邢", "白",
];

pub(crate) const GIVEN: [&str; 32] = [
    "小明", "小红", "浩然", "子涵", "欣怡", "梓轩", "雨桐", "宇航", "佳怡", "俊杰", "思雨", "博文",
    "晨曦", "一诺", "嘉怡", "天佑", "若曦", "明轩", "诗涵", "鹏飞", "雅婷", "志强", "丽娜", "建华",
    "子墨", "欣然", "宇轩", "梦琪", "浩宇", "紫涵", "国庆", "春燕",
];

/// The ordinals of village schools (第一村小 …).
pub(crate) const ORDINALS: [&str; 9] = [
    "第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九",
];

/// A number in `0..n` (0 when `n` is 0).
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

pub(crate) fn surname(rng: &mut ChaCha8Rng) -> &'static str {
    SURNAMES[below(rng, SURNAMES.len())]
}

/// A child's name: a surname and a given name.
pub(crate) fn child_name(rng: &mut ChaCha8Rng) -> String {
    let surname = surname(rng);
    format!("{surname}{}", GIVEN[below(rng, GIVEN.len())])
}

/// A grown-up's name as a child would say it: a surname and a title (王老师, 李校长 …).
pub(crate) fn titled(rng: &mut ChaCha8Rng, title: &str) -> String {
    format!("{}{title}", surname(rng))
}
