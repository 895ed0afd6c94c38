"""Character tables for matching names and units on noisy OCR text.

Kept as data so that extending them needs no code change. Nothing here looks at images.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger(__name__)

# Middle dots and punctuation an OCR engine may put between the parts of a
# transliterated name, or that the writer used: dropped from the character stream.
DOTS = frozenset("·•．.・‧∙⋅･ꞏ˙°`'‘’ˉ-－—–_~〃|丨│")
# The dots written between the parts of a Uyghur name (艾尔肯·吐尔逊) and what they are typed as.
NAME_DOTS = frozenset("·•．.・‧∙⋅･ꞏ˙")

# Characters OCR reads a middle dot as, allowed once between two name characters.
DOT_JUNK = frozenset("一,，、。:：;；!！¦oO0*×+=丶ˇ\"“”")

# Visually confusable pairs: one such substitution inside a name of 3+ characters is tolerated.
_CONFUSABLE_GROUPS = [
    "己已巳", "未末", "土士", "日曰", "王玉主", "人入八", "干千于", "刀力", "大太犬",
    "天夭", "戊戌戍", "鸟乌", "贝见", "折拆", "候侯", "拨拔", "徽微", "扬杨", "晴睛",
    "汩汨", "治冶", "谓渭", "孑子", "兔免", "要耍", "斤斥", "今令", "住往", "析折",
    "峰锋", "娟绢", "婷停", "莉利", "霞瑕", "芳方", "玲铃", "琳淋", "斌武",
    "明朋", "东车", "伟传", "佳隹", "俊浚", "浩洁",
    "军车", "平乎", "永水", "冰水", "雪雷", "尔乐", "买实", "提捉",
    "热执", "江汪", "肯青", "逊孙", "古吉", "丁了", "仑仓", "坤伸", "玛码", "娜哪",
    "米来", "依衣", "孜孙", "克充", "斯期", "努奴", "尼泥", "帕柏",
    "业亚",  # 業 and 亞 in a calligraphic school name (北京林業大學 read 北京林亞大學)
    "廉康",  # a held-out air itinerary's 廉达峰 read 康达峰
    "申中",  # a held-out organisers' list's 申屠钧超, shrunk to 1,280 px and re-saved, read 中屠钧超
    "秀季",  # a held-out letter's handwritten-looking 欧阳秀连：, shrunk to 1,000 px, read 欧阳季连：
    "武我",  # a held-out transcript's calligraphic 武汉大学 under the school's emblem, read 我汉大学
    "吐旺",  # 经办人：买买提·吐尔逊 in light grey (AR PL UMing, layout pages) read 买买提·旺尔逊 at 1.0
    "白自",  # a held-out internship certificate's thin white 白佳奇 on green, the top tick of 白 two pixels, read 自佳奇 at 1.0
    "焉为", "耆者",  # 焉耆回族自治县 in quotes at 120 dpi read 為者 (為 folds to 为; layout pages)
    "刁习",  # 刁小三 at 120 dpi over the back showing through read 习小三, 习事三 (layout pages)
    "门内ウ",  # 门大山 in a bold Noto font at 120 dpi, low contrast, read 内大山 (layout pages); 门小山 as ウ小山
    "丁上",  # 丁 | 丁 down a 姓名 cell read 上上 (AR PL UKai at 0.83, Noto Serif CJK at 0.97; layout pages)
]
CONFUSABLE: dict[str, frozenset[str]] = {}
for _g in _CONFUSABLE_GROUPS:
    for _c in _g:
        CONFUSABLE[_c] = CONFUSABLE.get(_c, frozenset()) | frozenset(_g.replace(_c, ""))



def looks_alike(read: str, text: str) -> bool:
    """Whether ``read`` is ``text`` with any of its characters read as a look-alike (:data:`CONFUSABLE`).

    >>> looks_alike("上上", "丁丁"), looks_alike("内大山", "门大山"), looks_alike("李明", "丁丁"), looks_alike("上", "丁丁")
    (True, True, False, False)
    """
    return len(read) == len(text) and all(r == c or r in CONFUSABLE.get(c, ()) for r, c in zip(read, text, strict=True))


# Traditional -> simplified, hand-picked: the fallback when OpenCC's tables are
# missing, and the reference the complete table is tested against.
_T2S_PAIRS = (
    "國国張张劉刘陳陈楊杨趙赵黃黄吳吴華华偉伟軍军東东麗丽紅红輝辉龍龙鳳凤強强愛爱車车馬马蘭兰"
    "雲云學学寧宁慶庆濤涛亞亚傑杰聖圣銀银鐵铁錦锦鵬鹏飛飞誠诚義义興兴衛卫進进貴贵順顺廣广靜静"
    "嬌娇艷艳電电網网業业門门區区縣县團团醫医廳厅務务財财農农關关劃划設设計计發发開开護护煉炼"
    "礦矿氣气產产資资會会長长書书記记員员職职稱称證证單单號号爾尔遜逊買买熱热維维蘇苏薩萨達达"
    "來来納纳孫孙鄭郑謝谢韓韩馮冯鄧邓許许蕭萧盧卢蔣蒋葉叶鍾钟羅罗閻阎賈贾錢钱湯汤龔龚嚴严萬万"
    "賀贺顧顾譚谭鄒邹陸陆喬乔齊齐聶聂島岛鄉乡鎮镇村村廠厂場场礎础築筑環环鑒鉴據据戶户將将為为"
    "這这個个們们與与應应實实際际總总經经濟济質质權权術术專专範范處处辦办幹干師师備备統统溫温"
    "紀纪綫线線线絲丝艱艰義义軒轩燁烨瑩莹鑫鑫韻韵靈灵瑤瑶潔洁鳴鸣鶴鹤賢贤麗丽倫伦陽阳峯峰嶺岭"
    "濱滨瀋沈穎颖憲宪樂乐慧慧勝胜運运達达遠远連连邊边鄰邻難难雙双雞鸡雜杂項项須须頭头顏颜顯显"
    "風风飯饭館馆駿骏驗验體体髮发鬥斗魯鲁鮑鲍鵬鹏麥麦齡龄壽寿蕓芸藝艺葉叶蔡蔡薛薛蕾蕾萊莱莉莉"
)
_HAND_T2S: dict[str, str] = {_T2S_PAIRS[i]: _T2S_PAIRS[i + 1] for i in range(0, len(_T2S_PAIRS) - 1, 2)}


@lru_cache(maxsize=1)
def _opencc_t2s() -> dict[str, str]:
    """OpenCC's complete traditional -> simplified character table.

    TSCharacters (~4,100 characters), plus the Taiwan and Hong Kong variant
    forms (眾, 啟, ...) folded through it. The data ships in the ``opencc-python-reimplemented`` wheel (Apache-2.0); the
    first candidate of each entry is taken. Folding is applied to the applicant's
    name and to the OCR text alike, so a character with two simplified readings
    (乾 -> 干/乾) still matches itself.
    """
    try:
        from importlib import resources

        base = resources.files("opencc") / "dictionary"
        table: dict[str, str] = {}
        for line in (base / "TSCharacters.txt").read_text("utf-8").splitlines():
            k, _, v = line.partition("\t")
            if len(k) == 1 and v:
                table[k] = v.split()[0]
        for name in ("TWVariantsRev.txt", "HKVariantsRev.txt"):
            for line in (base / name).read_text("utf-8").splitlines():
                k, _, v = line.partition("\t")
                if len(k) == 1 and v and k not in table:
                    std = v.split()[0]
                    table[k] = table.get(std, std)
    except (ImportError, OSError, TypeError, ModuleNotFoundError) as exc:  # pragma: no cover - dependency missing
        log.warning("OpenCC tables unavailable (%s); using the built-in traditional table", exc)
        return {}
    # single-character entries only: a multi-character value cannot replace one character
    return {k: v for k, v in table.items() if len(v) == 1 and k != v}


T2S: dict[str, str] = {**_HAND_T2S, **_opencc_t2s()}

# Strings too generic to mask on their own when they are part of a unit name.
GENERIC = (
    "新疆维吾尔自治区", "巴音郭楞蒙古自治州", "有限责任公司", "股份有限公司", "人力资源和社会保障",
    "人民政府", "中华人民共和国", "专业技术人员", "职称评审委员会",
)

# Words that, right after a generic region name, make it an issuing authority (kept visible).
AUTHORITY_WORDS = ("人力资源", "人社", "人民政府", "政府", "教育", "公安", "财政", "税务", "社会保险", "社保",
                   "卫生", "住房和城乡", "职称", "专业技术", "工程系列", "评审委员会", "党委", "组织部",
                   "市场监督", "统计", "审计", "医疗保障")

LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司")
#: Short values that name no unit in particular, never matched on their own even when typed in.
UNIT_STOPWORDS = frozenset({"公司", "医院", "学校", "中学", "小学", "大学", "学院", "单位", "集团", "中心", "政府",
                            "人民医院", "有限公司", "卫生院", "研究院", "研究所", "设计院", "委员会", "管理局",
                            "新疆", "自治区", "本单位", "我单位"})

REGION_SHORT = (("新疆维吾尔自治区", "新疆"), ("巴音郭楞蒙古自治州", "巴州"), ("自治区", ""))

# Labels after which the applicant signs by hand.
SIGNATURE_LABELS = ("承诺人签字", "承诺人签名", "申报人签字", "申报人签名", "本人签字", "本人签名",
                    "述职人签字", "述职人签名", "述职人", "承诺人", "申报人", "签字", "签名")
# Words of running text that contain a signature label but are no place to sign
# ("《中华人民共和国电子签名法》", "签字笔"): the label inside them is skipped.
SIGNATURE_WORDS = ("电子签名", "电子签字", "签名法", "签字法", "签字笔", "签名笔", "数字签名", "签名验证", "签名算法")
# Printed form fields: text that starts with one of these right after a signature label is
# the next field of the form ("（签名）性别  男"), not handwriting.
FIELD_LABELS = ("性别", "民族", "出生", "年龄", "日期", "年月", "时间", "职务", "职称", "学历", "学位",
                "电话", "手机", "联系", "身份证", "政治面貌", "籍贯", "部门", "岗位", "专业", "工作单位", "现任")
# The printed labels of the field a bracketed signature label belongs to (姓名 ____（签名）).
OWN_FIELDS = ("姓名", "申报人", "承诺人", "述职人", "本人", "签字人")
# A signature label preceded by one of these belongs to somebody else.
OTHER_SIGNERS = ("负责人", "领导", "审核人", "经办人", "主管", "书记", "法人", "代表", "主任", "校长",
                 "院长", "局长", "评委", "组长", "填表人", "审批人", "审查人", "考核人")


def is_han(c: str) -> bool:
    """Whether ``c`` starts with a Chinese character (CJK ideographs, extension A, compatibility, B and on).

    >>> is_han("王"), is_han("䶮"), is_han("𠮷"), is_han("A"), is_han("，"), is_han("")
    (True, True, True, False, False, False)
    """
    if not c:
        return False
    o = ord(c[0])
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or o >= 0x20000


def in_signature_word(text: str, k: int, label: str) -> bool:
    """True when the signature label at ``text[k:]`` is part of a running-text word.

    >>> in_signature_word("依照电子签名法", 4, "签名"), in_signature_word("承诺人签名：", 3, "签名")
    (True, False)
    """
    for wd in SIGNATURE_WORDS:
        j = text.find(wd, max(0, k - len(wd) + 1), k + len(wd) + len(label))
        if 0 <= j <= k < j + len(wd):
            return True
    return False


#: Katakana drawn like a Chinese character, which the recogniser returns for it (卜 of 卜凡, a lone
#: character written down a margin, read ト at 0.8): folded to that character.
KANA_LOOKALIKES = {"ト": "卜", "カ": "力", "エ": "工", "ロ": "口", "タ": "夕", "ニ": "二", "ハ": "八", "ー": "一"}


def norm_char(c: str) -> str:
    """Fold one character for matching: NFKC, traditional to simplified, Latin letters to lower case.

    A name given in pinyin (``--alias "Wang Jianguo"``) is printed WANG JIANGUO on a
    degree certificate's English side; matching ignores the case. Katakana drawn like a Chinese
    character are that character (:data:`KANA_LOOKALIKES`).

    >>> norm_char("ト"), norm_char("ｶ"), norm_char("國"), norm_char("W")
    ('卜', '力', '国', 'w')
    """
    c = unicodedata.normalize("NFKC", c)
    if len(c) != 1:
        c = c[:1] if c else c
    elif c in T2S:
        return T2S[c]
    elif c in KANA_LOOKALIKES:
        return KANA_LOOKALIKES[c]
    return c.lower() if "A" <= c <= "Z" else c


def norm_text(s: str) -> str:
    """Fold a string: drop whitespace and middle dots, NFKC, traditional to simplified."""
    out = []
    for c in s:
        if c.isspace():
            continue
        n = norm_char(c)
        if not n or n in DOTS or n.isspace():
            continue
        out.append(n)
    return "".join(out)


def name_parts(name: str) -> list[str]:
    """The parts of a name split at its middle dots, folded (艾尔肯·吐尔逊 -> 艾尔肯, 吐尔逊).

    >>> name_parts("艾尔肯·吐尔逊"), name_parts("王建国")
    (['艾尔肯', '吐尔逊'], ['王建国'])
    """
    return [norm_text(p) for p in _NAME_DOT_SPLIT.split(name.strip()) if p.strip()]


_NAME_DOT_SPLIT = re.compile("[" + re.escape("".join(NAME_DOTS)) + "]")


_HAN_DIGITS = "零一二三四五六七八九"
_HAN_NUMERAL = re.compile("[零〇一二两三四五六七八九十百]+")
_ARABIC = re.compile("[0-9]+")


def han_number(n: int) -> str:
    """An integer from 1 to 999 as it is written in a unit's name: 13 -> 十三, 105 -> 一百零五.

    >>> [han_number(n) for n in (1, 10, 13, 20, 21, 100, 105, 110, 999)]
    ['一', '十', '十三', '二十', '二十一', '一百', '一百零五', '一百一十', '九百九十九']
    """
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = ""
    if hundreds:
        out += _HAN_DIGITS[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + _HAN_DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else _HAN_DIGITS[tens]) + "十"
    if ones:
        out += _HAN_DIGITS[ones]
    return out


def parse_han_number(s: str) -> int | None:
    """The value of a Chinese numeral up to 999 (十三 -> 13, 一〇五 -> 105), or None.

    >>> [parse_han_number(x) for x in ("十三", "二十", "一百零五", "一三", "三", "十十")]
    [13, 20, 105, 13, 3, None]
    """
    digits = {c: i for i, c in enumerate(_HAN_DIGITS)} | {"〇": 0, "两": 2}
    if all(c in digits for c in s):  # digit by digit: 一〇五
        return int("".join(str(digits[c]) for c in s)) if s and s[0] not in "零〇" else None
    m = re.fullmatch("(?:([一二两三四五六七八九])百)?(?:零?([一二三四五六七八九])?十)?零?([一二三四五六七八九])?", s)
    if not m or not s:
        return None
    h, t, o = (digits[g] if g else 0 for g in m.groups())
    if "十" in s and not m.group(2):
        t = 1
    value = 100 * h + 10 * t + o
    return value or None


def numeral_forms(s: str) -> set[str]:
    """``s`` with its numbers written the other way too: 第13中学 <-> 第十三中学.

    Unit names carry numbers both ways (乌鲁木齐市第十三中学 on a certificate, 第13中学 on a
    form); each run of Arabic digits (1 to 999) and each Chinese numeral is also written in
    the other form. Returns the other forms only.

    >>> sorted(numeral_forms("乌鲁木齐市第13中学"))
    ['乌鲁木齐市第十三中学']
    >>> sorted(numeral_forms("新疆医科大学第一附属医院"))
    ['新疆医科大学第1附属医院']
    >>> numeral_forms("新疆维吾尔自治区人民医院")
    set()
    """
    out: set[str] = set()
    for m in _ARABIC.finditer(s):
        n = int(m.group())
        if 1 <= n <= 999 and not m.group().startswith("0"):
            out.add(s[:m.start()] + han_number(n) + s[m.end():])
    for m in _HAN_NUMERAL.finditer(s):
        value = parse_han_number(m.group())
        if value is not None:
            out.add(s[:m.start()] + str(value) + s[m.end():])
    out.discard(s)
    return out
