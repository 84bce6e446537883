#!/usr/bin/env python3
"""gen_sample_data.py - write seqsent's small bundled sample data (tests/data/).

All of this data is SYNTHETIC and written by the seqsent project itself: the
sentences are composed at random (fixed seed, so every run writes the same
bytes) from the hand-written phrase lists below.  Nothing is copied from any
third-party corpus.

Files written (paths relative to the repository root):

  tests/data/hotel_zh.train.csv   ~600 rows  Chinese hotel / product reviews
  tests/data/hotel_zh.test.csv    ~200 rows    header "label,text", labels 0/1
  tests/data/movies_en.train.csv  ~600 rows  English movie-review sentences
  tests/data/movies_en.test.csv   ~200 rows    header "label,text", labels 0/1
  tests/data/tweets3.train.csv    ~450 rows  English tweets, three classes
  tests/data/tweets3.test.csv     ~150 rows    labels negative/neutral/positive
  tests/data/zh_dict.txt          jieba-format dictionary ("word freq")
  tests/data/zh_vectors.txt       word2vec text format, "N 16" header
  tests/data/reviews_zh.txt       8 unlabeled Chinese lines (predict demo)
  tests/data/reviews_en.txt       8 unlabeled English lines (predict demo)

Label rule (the same for all three sets): a text is a sequence of clauses;
each clause is neutral (filler, question) or has a polarity.  A descriptor has
a polarity of its own (干净 +, 脏 -; "great" +, "boring" -) and a negation in
front of it (不 / 没有 / 不太 / "not" / "isn't" / "wasn't" ...) flips it, as
does 没有 before a noun (没有噪音 +, 没有热水 -).  The label is the polarity of
the LAST polar clause.  Reviews either keep one polarity throughout or switch
once after a contrast word (但是 / 不过 / 可是 / 就是, "but" / "however" /
"still"), so the label is the polarity after the contrast.  Tweets with no
polar clause are "neutral" (a question that mentions a polar word is neutral).
Contrast reviews and negation are what a bag-of-words model gets wrong.

Usage: python3 scripts/gen_sample_data.py [OUTDIR]   (default tests/data)
        python3 scripts/gen_sample_data.py --baseline [OUTDIR]
Standard library only.
"""

import csv
import math
import os
import random
import re
import sys
from collections import Counter

SEED = 20240611

# --------------------------------------------------------------------------
# Chinese: words are written separated by spaces; the spaces are removed in
# the output text and the space-separated units become dictionary entries.
# --------------------------------------------------------------------------

# aspect -> (positive descriptors, negative descriptors, negatable negatives)
ZH_HOTEL_ASPECTS = {
    "房间": ("干净 宽敞 整洁 舒适 明亮 温馨", "脏 小 旧 潮湿 简陋 昏暗", "脏 小 旧 潮湿"),
    "服务": ("热情 周到 好 贴心 到位", "差 冷淡 慢 敷衍", "差 慢"),
    "服务员": ("热情 友好 耐心 专业 客气", "冷淡 粗鲁 懒散 傲慢", "粗鲁"),
    "位置": ("方便 好 优越 便利", "偏 偏僻 难找", "偏 难找"),
    "早餐": ("丰富 好吃 可口 不错", "难吃 单一 简单 凉", "难吃 简单"),
    "前台": ("热情 专业 友好 高效", "冷淡 慢 傲慢 敷衍", "慢"),
    "前台 态度": ("好 热情 友好", "差 冷淡 恶劣", "差"),
    "卫生": ("干净 好 到位", "差 糟糕 堪忧", "差"),
    "价格": ("实惠 便宜 合理 公道", "贵 高 离谱 虚高", "贵 高"),
    "交通": ("方便 便利 便捷", "麻烦 拥堵", "麻烦"),
    "设施": ("齐全 新 完善 先进", "陈旧 老化 旧 简陋", "旧 陈旧"),
    "隔音": ("好 不错", "差 糟糕", "差"),
    "床": ("舒服 软 大", "硬 小 窄", "硬 小"),
    "环境": ("安静 优美 好 舒适", "吵 嘈杂 差", "吵 差"),
    "wifi": ("快 稳定", "慢 卡", "慢 卡"),
    "空调": ("凉快 给力", "吵 老旧", "吵"),
    "性价比": ("高", "低", "低"),
    "浴室": ("干净 宽敞", "脏 小", "脏 小"),
    "停车": ("方便", "麻烦", "麻烦"),
}
ZH_PRODUCT_ASPECTS = {
    "质量": ("好 不错 过硬", "差 糟糕 一般", "差"),
    "快递": ("快 给力", "慢", "慢"),
    "包装": ("精美 严实 完好", "破损 简陋", "简陋"),
    "做工": ("精细 扎实", "粗糙", "粗糙"),
    "客服": ("耐心 热情 专业", "冷淡 敷衍", ""),
    "屏幕": ("清晰 亮", "模糊 暗", "模糊 暗"),
    "声音": ("清楚 好听", "小 杂", "小"),
    "价格": ("实惠 便宜 合理", "贵 高", "贵 高"),
    "性价比": ("高", "低", "低"),
    "电池": ("耐用", "差", "差"),
}
ZH_INT_POS = ["很", "非常", "特别", "挺", "比较", "相当", "超级", "十分"]
ZH_INT_NEG = ["很", "非常", "特别", "有点", "有些", "比较", "十分"]
ZH_NEG_OF_POS = ["不", "不太", "不是 很", "一点 也 不", "并 不"]   # + pos adj -> negative
ZH_NEG_OF_NEG = ["不", "一点 也 不", "并 不", "不太"]              # + neg adj -> positive
ZH_TAI_NO = set("破损 堪忧 虚高 老化 一般 单一 粗糙 模糊".split())             # no 太X了 -
ZH_TAI_POS = set("方便 好吃 舒服 干净 热情 给力 快 贴心 周到 实惠 便宜 可口".split())  # 太X了 +

# nouns whose presence is bad / good (hotel only)
ZH_BAD_NOUNS = ["噪音", "异味", "霉味", "蟑螂", "蚊子", "烟味", "隐藏 消费"]
ZH_GOOD_NOUNS = ["热水", "电梯", "窗户", "停车位", "吹风机", "免费 wifi"]

ZH_VERDICT_POS = ["很 满意", "非常 满意", "推荐 入住", "值得 推荐", "下次 还 会 再来",
                  "物超所值", "还 不错", "住 得 很 开心", "五星 好评", "强烈 推荐",
                  "没有 让 人 失望", "不会 后悔"]
ZH_VERDICT_NEG = ["很 失望", "非常 失望", "不 推荐", "不会 再来 了", "再也 不 来 了",
                  "后悔 订 了 这家", "体验 很 差", "差评", "太 坑 了", "不 值 这个 价",
                  "不 满意", "没有 下次 了"]
ZH_PVERDICT_POS = ["很 满意", "好评", "会 回购", "推荐 购买", "物超所值", "值得 推荐",
                   "没有 让 人 失望", "五星 好评"]
ZH_PVERDICT_NEG = ["很 失望", "差评", "不会 回购", "退货 了", "不 推荐", "不 满意",
                   "不 值 这个 价", "太 坑 了"]
ZH_VERDICT_LEAD = ["总体来说", "总的来说", "总之", "整体 来说"]

ZH_FILL_HOTEL = ["我们 住 了 两 晚", "这次 是 出差 住 的", "房价 300 多", "订 的 是 大床房",
                 "周末 带 家人 来 的", "第二次 入住 了", "在 网上 预订 的", "酒店 在 市中心",
                 "离 地铁站 500 米", "399 元 一晚", "住 了 3 晚", "下午 2 点 办 的 入住",
                 "和 朋友 一起 来 的", "酒店 是 去年 开 的", "房间 在 12 楼", "订 了 一间 双床房"]
ZH_FILL_PRODUCT = ["买 给 爸妈 的", "双十一 买 的", "用 了 一个 星期", "这是 第二次 买 了",
                   "昨天 刚 收到", "价格 199 元", "给 老公 买 的", "用 了 3 天"]
ZH_SAME = ["，", "，而且 ", "，还有 ", "，另外 ", "，"]   # joins same-polarity clauses
ZH_CONTRAST = ["，但是 ", "，不过 ", "，可是 ", "，但 "]
ZH_END = ["。", "。", "！", "", "！！", "。"]

ZH_DISTRACTORS = ("飞机 火车 手机 电脑 学校 老师 学生 医院 银行 公司 工作 天气 下雨 阳光 城市 "
                  "农村 电影 音乐 足球 篮球 游泳 跑步 咖啡 啤酒 水果 蔬菜 米饭 面条 朋友 孩子 "
                  "老人 时间 明天 昨天 今年 历史 文化 科学 技术 经济 政治 新闻 报纸 书店 "
                  "优秀 糟透 完美 垃圾 满分 恶心").split()


class ZhGen:
    def __init__(self, rng):
        self.rng = rng
        self.words = Counter()   # dictionary words seen (space-separated units)
        self.used = set()

    def w(self, s):
        """Split a space-separated phrase into its words (counted by review())."""
        return s.split()

    def aspect_clause(self, aspects, pol):
        r = self.rng
        asp = r.choice([a for a in aspects if a not in self.used] or list(aspects))
        self.used.add(asp)
        pos, neg, negatable = (x.split() for x in aspects[asp])
        mode = r.random()
        if mode < 0.62:                      # plain: aspect [int] adj
            adj = r.choice(pos if pol > 0 else neg)
            ints = ZH_INT_POS if pol > 0 else ZH_INT_NEG
            k = r.random()
            if k < 0.15 and (adj in ZH_TAI_POS if pol > 0 else adj not in ZH_TAI_NO):
                return asp.split() + ["太", adj, "了"]
            if k < 0.25 and pol > 0:
                return asp.split() + ["还", "算"] + [adj]
            return asp.split() + self.w(r.choice(ints)) + [adj]
        # negated: a descriptor of the opposite polarity with a negation
        if pol < 0:
            cand = [a for a in pos if not a.startswith("不")]
            adj = r.choice(cand)
            return asp.split() + self.w(r.choice(ZH_NEG_OF_POS)) + [adj]
        if negatable:
            adj = r.choice(negatable)
            return asp.split() + self.w(r.choice(ZH_NEG_OF_NEG)) + [adj]
        adj = r.choice(pos)
        return asp.split() + ["很", adj]

    def noun_clause(self, pol):
        r = self.rng
        where = r.choice(["房间 里", "房间", "", "晚上", "酒店"])
        where = self.w(where) if where else []
        if r.random() < 0.5:               # bad noun: present -> -, absent -> +
            n = self.w(r.choice(ZH_BAD_NOUNS))
            if pol < 0:
                return where + r.choice([["有"], ["有", "很", "多"], ["有", "一股"] if n[0].endswith("味") else ["有"]]) + n
            return r.choice([where + ["没有"] + n, where + ["完全", "没有"] + n,
                             where + ["一点"] + n + ["都", "没有"]])
        n = self.w(r.choice(ZH_GOOD_NOUNS))
        if pol < 0:
            return r.choice([where + ["没有"] + n, ["连"] + n + ["都", "没有"]])
        return r.choice([["24", "小时", "有"] + n, where + ["有"] + n])

    def verdict(self, pol, product):
        r = self.rng
        lst = (ZH_PVERDICT_POS if pol > 0 else ZH_PVERDICT_NEG) if product else \
              (ZH_VERDICT_POS if pol > 0 else ZH_VERDICT_NEG)
        return self.w(r.choice(lst))

    def polar_clause(self, pol, product, verdict_ok=True):
        r = self.rng
        aspects = ZH_PRODUCT_ASPECTS if product else ZH_HOTEL_ASPECTS
        x = r.random()
        if x < 0.72 or (x >= 0.88 and not verdict_ok):
            return self.aspect_clause(aspects, pol)
        if x < 0.88 and not product:
            return self.noun_clause(pol)
        return self.verdict(pol, product)

    def review(self):
        """Returns (label 0/1, text)."""
        r = self.rng
        self.used = set()            # aspects already mentioned in this review
        product = r.random() < 0.2
        parts = []   # list of strings already joined
        def j(toks):
            for t in toks:
                self.words[t] += 1
            return "".join(toks)
        if r.random() < 0.3:
            parts.append(j(r.choice(ZH_FILL_PRODUCT if product else ZH_FILL_HOTEL).split()))
            parts.append("，")
        contrast = r.random() < 0.33
        final = 1 if r.random() < 0.5 else -1
        if not contrast:
            n = r.choice([1, 1, 2, 2, 2, 3])
            for i in range(n):
                if i:
                    parts.append(r.choice(ZH_SAME))
                parts.append(j(self.polar_clause(final, product)))
            if r.random() < 0.3:
                lead = r.choice(ZH_VERDICT_LEAD)
                parts.append("，" + j(lead.split()) + " " + j(self.verdict(final, product)))
        else:
            first = -final
            n1 = r.choice([1, 1, 2])
            n2 = r.choice([1, 1, 2])
            although = r.random() < 0.25
            if although:
                parts.append("虽然 ")
                self.words["虽然"] += 1
            for i in range(n1):
                if i:
                    parts.append(r.choice(ZH_SAME))
                parts.append(j(self.polar_clause(first, product, verdict_ok=False)))
            conj = r.choice(ZH_CONTRAST + (["，就是 "] if final < 0 and not although else []))
            parts.append(conj)
            for i in range(n2):
                if i:
                    parts.append(r.choice(ZH_SAME))
                parts.append(j(self.polar_clause(final, product)))
            if r.random() < 0.25:
                lead = r.choice(ZH_VERDICT_LEAD)
                parts.append("，" + j(lead.split()) + " " + j(self.verdict(final, product)))
        text = "".join(parts).replace(" ", "") + r.choice(ZH_END)
        for w in ("而且", "还有", "另外", "但是", "不过", "可是", "但", "就是"):
            if w in "".join(parts):
                self.words[w] += 1
        return (1 if final > 0 else 0), text


# --------------------------------------------------------------------------
# English movie reviews
# --------------------------------------------------------------------------
EN_ASPECTS = ["the plot", "the acting", "the script", "the soundtrack", "the score",
              "the cinematography", "the ending", "the dialogue", "the pacing", "the cast",
              "the special effects", "the lead actor", "the villain", "the jokes", "the story",
              "the direction", "the first half", "the final act", "the editing", "the visuals",
              "the characters", "the performances", "the action scenes"]
EN_POS = ("great brilliant excellent gripping moving clever beautiful charming superb "
          "fantastic solid funny fresh stunning good wonderful smart").split()
EN_NEG = ("boring dull awful terrible predictable clumsy forgettable weak messy lifeless "
          "bad silly flat painful tedious lazy").split()
EN_INT = ["very", "really", "so", "incredibly", "pretty", "quite", "genuinely", "truly"]
EN_INT_NEG = ["very", "really", "so", "a bit", "kind of", "far too", "pretty"]
EN_BE = [("is", "isn't", "is not"), ("was", "wasn't", "was not")]
EN_BE_PL = [("are", "aren't", "are not"), ("were", "weren't", "were not")]
EN_PLURAL = {"the special effects", "the jokes", "the visuals", "the characters",
             "the performances", "the action scenes"}
# (present, absent) forms; the absent form flips the polarity
EN_POS_NOUNS = [("there's real chemistry between the leads", "there's no chemistry between the leads"),
                ("there's genuine tension", "there isn't any tension"),
                ("it has a lot of heart", "it has no heart"),
                ("there are plenty of laughs", "there aren't many laughs"),
                ("there's a clever twist", "there's no twist worth the wait"),
                ("there are some great set pieces", "there isn't one memorable scene")]
EN_NEG_NOUNS = [("there are so many plot holes", "there aren't any plot holes"),
                ("there were too many dull moments", "there wasn't a single dull moment"),
                ("it relies on cheap jump scares", "it doesn't rely on cheap jump scares"),
                ("there are a lot of awkward lines", "there are no awkward lines"),
                ("there are too many filler scenes", "there are no filler scenes"),
                ("the logic gaps are huge", "there are no logic gaps")]
EN_VERDICT_POS = ["I loved it", "I'd watch it again", "highly recommended", "10/10",
                  "worth every minute", "it's a must-see", "I wasn't disappointed",
                  "it's one of the best films of the year", "I'd give it 9/10",
                  "I can't wait to see it again", "don't miss it", "I enjoyed every minute"]
EN_VERDICT_NEG = ["I hated it", "don't waste your time", "I want my 2 hours back",
                  "I wouldn't recommend it", "2/10", "I walked out after an hour",
                  "it's one of the worst films of the year", "I didn't enjoy it",
                  "I was disappointed", "it isn't worth the ticket", "skip it",
                  "I couldn't wait for it to end"]
EN_FILL = ["I saw it last weekend", "it runs about 2 hours", "my friend picked this one",
           "we watched it on a Friday night", "it's based on a novel from 1998",
           "I went in with no expectations", "the theater was half empty",
           "it's the director's 3rd film", "I watched it with my sister",
           "it came out in 2019", "the trailer gives away a lot"]
EN_LEAD = ["overall,", "all in all,", "in the end,", "honestly,", "bottom line:"]


class EnGen:
    def __init__(self, rng, p_contrast=0.25, p_neg=0.2):
        self.rng = rng
        self.p_contrast = p_contrast
        self.p_neg = p_neg
        self.used = set()

    def aspect_clause(self, pol):
        r = self.rng
        asp = r.choice([a for a in EN_ASPECTS if a not in self.used])
        self.used.add(asp)
        be = r.choice(EN_BE_PL if asp in EN_PLURAL else EN_BE)
        if r.random() >= self.p_neg:
            adj = r.choice(EN_POS if pol > 0 else EN_NEG)
            ints = EN_INT if pol > 0 else EN_INT_NEG
            if r.random() < 0.6:
                return f"{asp} {be[0]} {r.choice(ints)} {adj}"
            if r.random() < 0.4:
                return f"{asp} felt {adj}"
            return f"{asp} {be[0]} {adj}"
        adj = r.choice(EN_NEG if pol > 0 else EN_POS)
        form = r.random()
        if form < 0.5:
            s = f"{asp} {be[1]} {adj}"
        elif form < 0.75:
            s = f"{asp} {be[2]} {adj}"
        elif form < 0.9:
            s = f"{asp} {be[1]} {r.choice(['very', 'that', 'particularly'])} {adj}"
        else:
            s = f"{asp} never felt {adj}"
        if pol > 0 and r.random() < 0.3:
            s += " at all"
        return s

    def clause(self, pol, verdict_ok=True):
        r = self.rng
        x = r.random()
        if x < 0.64 or (x >= 0.88 and not verdict_ok):
            return self.aspect_clause(pol)
        if x < 0.78:
            # the "absent" form (a negation) is used with probability ~p_neg
            if r.random() < 0.5 + (0.5 - self.p_neg) * (1 if pol < 0 else -1):
                pres, absent = r.choice(EN_NEG_NOUNS)
                return pres if pol < 0 else absent
            pres, absent = r.choice(EN_POS_NOUNS)
            return pres if pol > 0 else absent
        if x < 0.88:
            subj = r.choice(["it's", "this movie is", "the film was", "it was", "this one is"])
            if r.random() < 0.3:
                neg_subj = {"it's": "it isn't", "this movie is": "this movie isn't",
                            "the film was": "the film wasn't", "it was": "it wasn't",
                            "this one is": "this one is not"}[subj]
                return f"{neg_subj} {r.choice(EN_NEG if pol > 0 else EN_POS)}"
            return f"{subj} {r.choice(EN_INT + [''] if pol > 0 else EN_INT_NEG + [''])} " \
                   f"{r.choice(EN_POS if pol > 0 else EN_NEG)}".replace("  ", " ")
        return r.choice(EN_VERDICT_POS if pol > 0 else EN_VERDICT_NEG)

    def review(self):
        r = self.rng
        self.used = set()
        final = 1 if r.random() < 0.5 else -1
        contrast = r.random() < self.p_contrast
        sents = []           # list of (joiner, clause)
        if r.random() < 0.25:
            sents.append(("", r.choice(EN_FILL)))
        if not contrast:
            n = r.choice([1, 1, 2, 2, 2, 3])
            for i in range(n):
                sents.append((r.choice([", and ", ". ", ". Also, ", "; ", ", plus "]) if i else ". ",
                              self.clause(final)))
        else:
            n1, n2 = r.choice([1, 1, 2]), r.choice([1, 1, 2])
            if r.random() < 0.2 and n1 == 1:
                sents.append((". ", "although " + self.aspect_clause(-final)))
                sents.append((", ", self.clause(final)))
            else:
                for i in range(n1):
                    sents.append((", and " if i else ". ", self.clause(-final, verdict_ok=False)))
                conj = r.choice([", but ", ". But ", ". However, ", ". Still, ", ", yet "])
                sents.append((conj, self.clause(final)))
            for i in range(1, n2):
                sents.append((r.choice([", and ", ". "]), self.clause(final)))
        if r.random() < 0.22:
            sents.append((". ", r.choice(EN_LEAD) + " " + self.clause(final)))
        out = ""
        for i, (jn, cl) in enumerate(sents):
            if i == 0:
                out = cl[0].upper() + cl[1:]
            elif jn.endswith(". ") or jn == ". ":
                out += jn + cl[0].upper() + cl[1:]
            else:
                out += jn + cl
        out += r.choice([".", ".", ".", "!", "!!", "...", ""])
        return (1 if final > 0 else 0), out


# --------------------------------------------------------------------------
# English tweets, three classes
# --------------------------------------------------------------------------
TW_USERS = ["@mike_t", "@sarahj", "@CafeLuna", "@NoodleBar", "@SkyAir", "@techdaily",
            "@cityrail", "@anna_b", "@DJ_Rob", "@fastnet", "@GymNation", "@lisa88"]
TW_TOPICS = ["the new update", "my coffee this morning", "this weather", "the concert last night",
             "the service at @CafeLuna", "my flight", "the game", "this new song",
             "the traffic downtown", "lunch at @NoodleBar", "the new phone", "today's meeting",
             "the season finale", "my internet", "the train today", "the new menu",
             "the gym class", "this podcast"]
TW_POS = "amazing awesome great perfect lovely fun beautiful fantastic brilliant delicious".split()
TW_NEG = "terrible awful annoying broken slow horrible boring disappointing useless gross".split()
TW_INT = ["so", "really", "totally", "super", "soooo", "pretty"]
TW_POS_STMT = ["loving it", "so happy right now", "can't wait for the weekend", "best day ever",
               "thank you {u}!", "feeling blessed", "made my day", "couldn't be happier",
               "big thanks to {u}", "what a great start to the week"]
TW_NEG_STMT = ["so tired of this", "worst day ever", "ugh", "can't believe this happened again",
               "never again", "what a waste of time", "fed up", "really not happy",
               "thanks for nothing {u}", "why does this always happen to me"]
TW_NEU_STMT = ["heading to the airport", "meeting moved to 3pm", "new post is up",
               "reading the news on the train", "the update comes out on friday",
               "just landed in Boston", "anyone know if the library is open today?",
               "live stream starts at 8pm", "watching the game with {u}",
               "doors open at 7", "slides from today's talk are online",
               "is the new update any good?", "has anyone tried lunch at @NoodleBar?",
               "what time does the store close?", "is {t} worth it?", "anyone been to {t2}?",
               "going to the concert tonight", "picking up groceries after work",
               "the store closes at 9 on sundays", "voting starts tomorrow at 8am",
               "updated my profile pic", "back in the office on monday",
               "does anyone know a good place for lunch?", "the bus leaves at 6:15"]
TW_TAG_POS = ["#happy", "#blessed", "#love", "#winning", "#goodvibes"]
TW_TAG_NEG = ["#fail", "#annoyed", "#mondays", "#worst", "#smh"]
TW_TAG_NEU = ["#travel", "#tech", "#news", "#music", "#work", "#weekend", "#food"]
TW_EMO_POS = [":)", ":D", ":-)", "<3", ":))"]
TW_EMO_NEG = [":(", ":-(", ":'(", ">:("]
TW_URLS = ["https://example.com/post/{n}", "http://example.org/a/{n}", "https://t.example/x{n}"]


class TwGen:
    def __init__(self, rng):
        self.rng = rng

    def fill(self, s):
        r = self.rng
        return s.replace("{u}", r.choice(TW_USERS)).replace("{t}", r.choice(TW_TOPICS)) \
                .replace("{t2}", r.choice(["@CafeLuna", "@NoodleBar", "the new mall", "the museum"]))

    def polar(self, pol):
        r = self.rng
        x = r.random()
        if x < 0.6:
            t = r.choice(TW_TOPICS)
            be = "was" if ("last night" in t or "this morning" in t) else r.choice(["is", "was"])
            if r.random() < 0.3:
                nb = {"is": r.choice(["isn't", "is not"]), "was": r.choice(["wasn't", "was not"])}[be]
                return f"{t} {nb} {r.choice(TW_NEG if pol > 0 else TW_POS)}"
            i = r.choice(TW_INT + ["", ""])
            return f"{t} {be} {i} {r.choice(TW_POS if pol > 0 else TW_NEG)}".replace("  ", " ")
        return self.fill(r.choice(TW_POS_STMT if pol > 0 else TW_NEG_STMT))

    def tweet(self):
        r = self.rng
        c = r.choice(["negative", "neutral", "positive"])
        parts = []
        if r.random() < 0.25:
            parts.append(r.choice(TW_USERS))
        if c == "neutral":
            cl = [self.fill(x) for x in r.sample(TW_NEU_STMT, r.choice([1, 1, 2]))]
            if len(cl) == 2 and not cl[0].endswith("?"):
                cl[0] += r.choice([",", ".", " -", ";"])
            parts.extend(cl)
            if r.random() < 0.45:
                parts.append(r.choice(TW_TAG_NEU))
            if r.random() < 0.3:
                parts.append(r.choice(TW_URLS).replace("{n}", str(r.randint(10, 9999))))
        else:
            pol = 1 if c == "positive" else -1
            if r.random() < 0.25:
                parts.append(self.fill(r.choice([x for x in TW_NEU_STMT if "?" not in x])) +
                             r.choice([",", ".", " -"]))
            if r.random() < 0.3:     # contrast
                parts.append(self.polar(-pol) + r.choice([" but", ", but", "... but"]))
            parts.append(self.polar(pol) + r.choice(["", "!", "!!", ".", ""]))
            if r.random() < 0.35:
                parts.append(r.choice(TW_TAG_POS if pol > 0 else TW_TAG_NEG))
            if r.random() < 0.3:
                parts.append(r.choice(TW_TAG_NEU))
            if r.random() < 0.35:
                parts.append(r.choice(TW_EMO_POS if pol > 0 else TW_EMO_NEG))
            if r.random() < 0.1:
                parts.append(r.choice(TW_URLS).replace("{n}", str(r.randint(10, 9999))))
        s = " ".join(parts)
        if r.random() < 0.3:
            s = s[0].upper() + s[1:]
        return c, s


# --------------------------------------------------------------------------
# assembling, writing
# --------------------------------------------------------------------------
def make_rows(gen, n_train, n_test, balance):
    """Unique texts, label-balanced, split train/test."""
    seen = set()
    by = {}
    total = n_train + n_test
    per = {lab: total // len(balance) for lab in balance}
    for lab in list(balance)[: total - sum(per.values())]:
        per[lab] += 1
    tries = 0
    while sum(len(v) for v in by.values()) < total:
        tries += 1
        if tries > 200000:
            raise SystemExit("generator cannot make enough unique rows")
        lab, text = gen()
        if text in seen or len(by.setdefault(lab, [])) >= per[lab]:
            continue
        seen.add(text)
        by[lab].append((lab, text))
    rows = [x for lab in balance for x in by[lab]]
    return rows


def split(rng, rows, n_test):
    rng.shuffle(rows)
    return rows[n_test:], rows[:n_test]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["label", "text"])
        for lab, text in rows:
            w.writerow([lab, text])


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        assert head == ["label", "text"], head
        return [(a, b) for a, b in rd]


def quirk_zh(rng, rows):
    """A few rows that exercise CSV quoting: ASCII commas, quotes, newlines."""
    hotel = [i for i, (_, t) in enumerate(rows) if "房间" in t and "\"" not in t]
    idx = rng.sample(hotel, 11)
    for k, i in enumerate(idx):
        lab, t = rows[i]
        if k < 6 and "，" in t:
            t = t.replace("，", ",", 1)                    # ASCII comma
        elif k < 9:
            t = "订的所谓\"海景房\"，" + t if k % 2 else "前台说\"马上就好\"，" + t
        elif "，" in t:
            t = t.replace("，", "，\n", 1)                 # embedded newline
        rows[i] = (lab, t)


def quirk_en(rng, rows):
    one = re.compile(r"\bthe (plot|acting|script|ending|villain|cast|score|twist)\b")
    cand = [i for i, (_, t) in enumerate(rows) if one.search(t)]
    idx = rng.sample(cand, 6)
    for k, i in enumerate(idx):
        lab, t = rows[i]
        if k < 4:
            t = one.sub(r'the so-called "\1"', t, count=1)  # double quotes
        elif ". " in t:
            t = t.replace(". ", ".\n", 1)                  # embedded newline
        rows[i] = (lab, t)


ZH_DEMO = ["房间很干净，服务员也非常热情，下次还会再来。",
           "位置不太方便，而且隔音很差，晚上有噪音。",
           "早餐一点也不难吃，价格也不贵，值得推荐！",
           "房间有点小，但是性价比很高，总体来说很满意。",
           "前台态度冷淡，房间里有一股烟味，不推荐。",
           "wifi很快，交通便利，房价300多，物超所值。",
           "设施很新，但是没有热水，很失望。",
           "快递很快，包装完好，质量不错，会回购。"]
EN_DEMO = ["The acting was brilliant and the story kept me hooked for 2 hours.",
           "It wasn't boring at all, I'd watch it again!",
           "The plot is predictable and the dialogue is painfully flat.",
           "The visuals are stunning, but the script isn't good.",
           "I didn't enjoy it. Don't waste your time.",
           "Honestly, the cast is great and the ending is so moving. 10/10",
           "The first half was slow, however the final act was fantastic.",
           "There were too many plot holes, 2/10."]

def zh_polarity_sets():
    pos, neg = set(), set()
    for table in (ZH_HOTEL_ASPECTS, ZH_PRODUCT_ASPECTS):
        for p, n, _ in table.values():
            pos.update(p.split())
            neg.update(n.split())
    for v in ZH_VERDICT_POS + ZH_PVERDICT_POS:
        for w in v.split():
            if w in ("满意", "推荐", "再来", "物超所值", "不错", "开心", "好评", "回购", "值得"):
                pos.add(w)
    for v in ZH_VERDICT_NEG + ZH_PVERDICT_NEG:
        for w in v.split():
            if w in ("失望", "后悔", "差评", "坑", "退货"):
                neg.add(w)
    neg.update(w for n in ZH_BAD_NOUNS for w in n.split() if w not in ("隐藏",))
    pos.update(["优秀", "完美", "满分"])      # distractors
    neg.update(["糟透", "垃圾", "恶心"])
    both = pos & neg
    return pos - both, neg - both


def write_dict_and_vectors(outdir, words, texts, rng):
    # dictionary: every multi-character unit the generator used + all Han chars
    han = re.compile(r"^[\u4e00-\u9fff]+$")
    wc = Counter({w: c for w, c in words.items() if han.match(w) and len(w) > 1})
    cc = Counter()
    for t in texts:
        for ch in t:
            if han.match(ch):
                cc[ch] += 1
    # plausible frequencies: corpus counts scaled up, with a deterministic jitter;
    # single characters are more frequent than the words built from them
    freq = {}
    for w, c in wc.items():
        freq[w] = int(c * 37 * (0.8 + 0.4 * rng.random())) + 5
    for ch, c in cc.items():
        f1 = int(c * 61 * (0.8 + 0.4 * rng.random())) + 20
        freq[ch] = max(freq.get(ch, 0), f1)
    for w in ("的", "了", "是", "不", "很", "有", "也"):
        if w in freq:
            freq[w] *= 3
    dict_words = sorted(freq, key=lambda w: (-freq[w], w))
    with open(os.path.join(outdir, "zh_dict.txt"), "w", encoding="utf-8", newline="\n") as f:
        for w in dict_words:
            f.write(f"{w} {freq[w]}\n")

    # vectors: informative directions for polarity and negation
    dim = 16

    def unit():
        v = [rng.gauss(0, 1) for _ in range(dim)]
        n = math.sqrt(sum(x * x for x in v))
        return [x / n for x in v]
    dirs = []                      # orthonormal directions (Gram-Schmidt)
    while len(dirs) < 4:
        v = unit()
        for d in dirs:
            dot = sum(x * y for x, y in zip(v, d))
            v = [x - dot * y for x, y in zip(v, d)]
        n = math.sqrt(sum(x * x for x in v))
        dirs.append([x / n for x in v])
    d_pos, d_neg, d_ngt, d_int = dirs
    pos, neg = zh_polarity_sets()
    negation = {"不", "没有", "没", "不太", "并", "不会", "再也", "不是"}
    intens = set(w for s in ZH_INT_POS + ZH_INT_NEG for w in s.split()) | {"太", "一点"}
    vocab = list(dict_words)
    dfreq = dict(freq)
    for w in ZH_DISTRACTORS:
        if w not in dfreq:
            vocab.append(w)
            dfreq[w] = int(rng.uniform(5, 3000))
    vocab.sort(key=lambda w: (-dfreq[w], w))
    lines = [f"{len(vocab)} {dim}"]
    for w in vocab:
        sd = 0.12 if w not in pos and w not in neg and w not in negation else 0.07
        noise = [rng.gauss(0, sd) for _ in range(dim)]
        if w in pos:
            base, s = d_pos, rng.uniform(0.45, 0.75)
        elif w in neg:
            base, s = d_neg, rng.uniform(0.45, 0.75)
        elif w in negation:
            base, s = d_ngt, rng.uniform(0.5, 0.8)
        elif w in intens:
            base, s = d_int, rng.uniform(0.3, 0.5)
        else:
            base, s = d_pos, 0.0
        v = [b * s + e for b, e in zip(base, noise)]
        lines.append(w + " " + " ".join(f"{x:.6g}" for x in v))
    with open(os.path.join(outdir, "zh_vectors.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return len(dict_words), len(vocab)


# --------------------------------------------------------------------------
# baseline: bag-of-features multinomial naive Bayes and logistic regression
# --------------------------------------------------------------------------
def feats_zh(t):
    t = re.sub(r"\s+", "", t)
    return [t[i:i + 2] for i in range(len(t) - 1)]


def feats_en(t):
    return re.findall(r"[a-z0-9@#']+|[:;<>()/]+", t.lower())


def nb_acc(train, test, feats):
    labs = sorted(set(l for l, _ in train))
    cnt = {l: Counter() for l in labs}
    prior = Counter(l for l, _ in train)
    vocab = set()
    for l, t in train:
        f = feats(t)
        cnt[l].update(f)
        vocab.update(f)
    tot = {l: sum(cnt[l].values()) for l in labs}
    V = len(vocab)
    ok = 0
    for l, t in test:
        best = max(labs, key=lambda c: math.log(prior[c]) + sum(
            math.log((cnt[c][x] + 1) / (tot[c] + V)) for x in feats(t) if x in vocab))
        ok += best == l
    return ok / len(test)


def lr_acc(train, test, feats, epochs=30, lr=0.2, l2=1e-4, seed=1):
    labs = sorted(set(l for l, _ in train))
    W = {c: Counter() for c in labs}
    b = {c: 0.0 for c in labs}
    rng = random.Random(seed)
    data = [(l, Counter(feats(t))) for l, t in train]
    def scores(f):
        return {c: b[c] + sum(W[c][k] * v for k, v in f.items()) for c in labs}
    for ep in range(epochs):
        rng.shuffle(data)
        for l, f in data:
            s = scores(f)
            m = max(s.values())
            z = sum(math.exp(v - m) for v in s.values())
            for c in labs:
                g = math.exp(s[c] - m) / z - (1.0 if c == l else 0.0)
                b[c] -= lr * g
                for k, v in f.items():
                    W[c][k] -= lr * (g * v + l2 * W[c][k])
    ok = 0
    for l, t in test:
        s = scores(Counter(feats(t)))
        ok += max(s, key=s.get) == l
    return ok / len(test)


def baseline(outdir):
    for name, feats in (("hotel_zh", feats_zh), ("movies_en", feats_en), ("tweets3", feats_en)):
        tr = read_csv(os.path.join(outdir, name + ".train.csv"))
        te = read_csv(os.path.join(outdir, name + ".test.csv"))
        print(f"{name:10s} train {len(tr)} {dict(sorted(Counter(l for l, _ in tr).items()))} "
              f"test {len(te)} {dict(sorted(Counter(l for l, _ in te).items()))}")
        print(f"           BoW naive Bayes {nb_acc(tr, te, feats):.3f}   "
              f"BoW logistic regression {lr_acc(tr, te, feats):.3f}")


def main(argv):
    do_base = "--baseline" in argv
    args = [a for a in argv if not a.startswith("--")]
    outdir = args[0] if args else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                               "..", "tests", "data"))
    os.makedirs(outdir, exist_ok=True)

    rng = random.Random(SEED)
    zg = ZhGen(random.Random(SEED + 1))
    zh = make_rows(zg.review, 600, 200, [0, 1])
    zh_tr, zh_te = split(rng, zh, 200)
    quirk_zh(rng, zh_tr)
    write_csv(os.path.join(outdir, "hotel_zh.train.csv"), zh_tr)
    write_csv(os.path.join(outdir, "hotel_zh.test.csv"), zh_te)

    eg = EnGen(random.Random(SEED + 2))
    en = make_rows(eg.review, 600, 200, [0, 1])
    en_tr, en_te = split(rng, en, 200)
    quirk_en(rng, en_tr)
    write_csv(os.path.join(outdir, "movies_en.train.csv"), en_tr)
    write_csv(os.path.join(outdir, "movies_en.test.csv"), en_te)

    tg = TwGen(random.Random(SEED + 3))
    tw = make_rows(tg.tweet, 450, 150, ["negative", "neutral", "positive"])
    tw_tr, tw_te = split(rng, tw, 150)
    write_csv(os.path.join(outdir, "tweets3.train.csv"), tw_tr)
    write_csv(os.path.join(outdir, "tweets3.test.csv"), tw_te)

    ndict, nvec = write_dict_and_vectors(outdir, zg.words, [t for _, t in zh] + ZH_DEMO,
                                         random.Random(SEED + 4))
    for fn, lines in (("reviews_zh.txt", ZH_DEMO), ("reviews_en.txt", EN_DEMO)):
        with open(os.path.join(outdir, fn), "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")

    print(f"wrote {outdir}: dict {ndict} words, vectors {nvec} rows")
    if do_base:
        baseline(outdir)


if __name__ == "__main__":
    main(sys.argv[1:])
