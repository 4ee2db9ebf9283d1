# ruff: noqa: E501  (the sample pages keep their real line lengths)
"""Write the sample documents of tests/data/docs in the encodings real pages come in.

The texts were written for the tests, each imitating the layout of a kind of site
organisers save pages from.  They are kept here in UTF-8 so a reader can review them;
the committed files are this script's output (run it after editing a text):

    .venv/bin/python tests/data/make_docs.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "docs"

MENU = "\n".join(
    ["首页", "新闻", "时政", "国际", "财经", "社会", "评论", "图片", "视频", "专题"] * 10
)

DOCS: dict[str, tuple[str, str, str]] = {}

# 1. A news portal: a 100-line menu, breadcrumb, dateline, inline 一、 heads, footer.
DOCS["portal_menu.txt"] = ("gb18030", "\r\n", f"""登录 | 注册 | 手机版
{MENU}
当前位置：首页 > 时政 > 正文

践行群众路线要在“实”字上下功夫
2014-06-12 08:30:15  来源：人民网  作者：李明

　　党的群众路线教育实践活动开展以来,各地坚持边学边查边改,一批群众反映强烈的问题得到解决.
　　一、学习要实。学习不是走过场,要带着问题学、联系实际学,把学习成果转化为推动工作的实际行动.各级领导干部要原原本本读原著,真正做到学懂弄通.
　　二、查摆要实。查摆问题要敢于揭短亮丑,不遮不掩,群众提的意见要照单全收,逐条梳理,建立台账,明确整改时限.
　　三、整改要实。整改落实是检验活动成效的关键,要坚持立行立改,对群众反映的“门难进、脸难看、事难办”问题,要拿出过硬措施,让群众看到实实在在的变化.
　　只有在“实”字上下功夫,才能让群众满意,让活动取得经得起检验的成效.

责任编辑：王芳
分享到：
相关新闻
· 各地扎实推进教育实践活动
· 整改落实要让群众看得见
· 群众路线教育实践活动进入第二环节
网站简介 | 联系我们 | 广告服务 | 法律声明
京ICP备05012345号 京公网安备11000002000001号
""")

# 2. A document-sharing page, saved as UTF-16 by Notepad: download notices, page
#    numbers breaking a paragraph, 第一章 with 一、 and （一） inside.
DOCS["docshare_utf16.txt"] = ("utf-16", "\r\n", """文档贡献者上传的文档仅供学习交流,下载文档需消耗2个下载积分,本站不保证文档的完整性.
下载文档 | 收藏 | 举报
基层党组织服务群众工作手册
第一章　总体要求
　　服务群众是基层党组织的基本职责.基层党组织要把服务群众作为工作的出发点和落脚点,做到群众有所呼、组织有所应.
　　一、坚持以人为本
　　（一）尊重群众主体地位.要相信群众、依靠群众,把群众拥护不拥护、赞成不赞成作为衡量工作的根本标准.
　　（二）维护群众切身利益.凡是涉及群众切身利益的事情,都要认真听取群众意见,做到公开透明,
- 2 -
接受群众监督,不能搞暗箱操作.
　　二、坚持问题导向
　　要聚焦群众反映强烈的突出问题,一个问题一个问题地解决,让群众看到变化、得到实惠.
第二章　工作方法
　　一、建立联系群众制度
　　党员干部要定期走访群众,每月至少走访一次联系户,了解群众的生产生活情况,帮助解决实际困难.
　　二、畅通诉求表达渠道
　　设立群众意见箱,公开服务电话,认真处理群众来信来访,做到件件有回音、事事有着落.
- 3 -
1/3
文档评论(0)
""")

# 3. An essay site mirrored in Taiwan (Big5, CR line ends): traditional characters,
#    title repeated, 發佈時間, （一） heads, run-in 第一, shared-by and prev/next lines.
DOCS["essay_big5.txt"] = ("big5", "\r", """首頁 > 心得體會 > 正文
學習群眾路線心得體會
發佈時間：2014年5月6日　閱讀：1234次
學習群眾路線心得體會
學習群眾路線心得體會
　　通過近段時間的學習,我對黨的群眾路線有了更加深刻的認識.群眾路線是我們黨的生命線和根本工作路線,必須始終堅持.
（一）提高思想認識
　　第一,要認識到群眾路線是黨的優良傳統.從革命戰爭年代到改革開放時期,我們黨始終依靠群眾,才取得了一個又一個勝利.
　　第二,要認識到脫離群眾是最大的危險.一些幹部高高在上,不深入基層,群眾對此意見很大,必須下決心解決.
（二）落實到具體行動
　　要經常深入基層,傾聽群眾呼聲,把群眾的冷暖放在心上,為群眾辦實事、做好事、解難事.
　　總之,我們要以這次活動為契機,真正做到為民、務實、清廉.
本文由範文網整理,版權歸原作者所有,轉載請註明出處.
上一篇：教師個人工作總結　下一篇：黨員思想匯報範文
""")

# 4. A blog post in Markdown: front matter, ## heads, emphasis, links, a footnote,
#    a quotation, and a related-posts list at the end.
DOCS["blog_post.md"] = ("utf-8", "\n", """---
title: 读《论群众路线》札记
date: 2014-07-20
author: 青山
---

# 读《论群众路线》札记

最近重读了《论群众路线——重要论述摘编》,有几点体会记在这里,和大家交流.
读的时候最大的感受是,**群众路线不是一句口号**,而是实实在在的工作方法.

## 一、为什么要走群众路线

> 人民,只有人民,才是创造世界历史的动力.

这句话[毛泽东同志](https://example.org/mao)早在1945年就说过[^1].群众是真正的英雄,
离开了群众,我们将一事无成.

## 二、怎样走好群众路线

- 要*俯下身子*,到群众中去;
- 要真心倾听,不能走过场;
- 要把群众的意见落实到工作中去.

做到了这几点,群众自然会信任我们、支持我们.

[^1]: 见《论联合政府》,1945年4月.

---

*本文首发于个人博客,转载请注明出处.*

相关文章:

- [读书笔记:调查研究的方法](https://example.org/1)
- [学习焦裕禄精神有感](https://example.org/2)
""")

# 5. A saved HTML page (GBK, charset in a meta tag): navigation, sidebar, footer.
DOCS["saved_page.html"] = ("gbk", "\n", """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>倾听群众呼声 解决群众难题_党建频道_某某新闻网</title>
<meta name="author" content="张华">
<meta name="publishdate" content="2014-04-18">
</head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/dj">党建</a></li><li><a href="/sz">时政</a></li><li><a href="/pl">评论</a></li></ul></div>
<div class="crumb">您的位置：<a href="/">首页</a> &gt; <a href="/dj">党建频道</a> &gt; 正文</div>
<div class="article">
<h1>倾听群众呼声 解决群众难题</h1>
<div class="info">2014年04月18日 09:12 来源：某某日报</div>
<p>　　开展党的群众路线教育实践活动,必须把倾听群众呼声作为第一步.只有听到群众的真心话,才能找准问题的症结所在.</p>
<h2>一、到群众中去听</h2>
<p>　　领导干部要走出机关,到田间地头、厂矿车间去,面对面听取群众的意见和建议,不能坐在办公室里听汇报.</p>
<h2>二、带着问题去改</h2>
<p>　　听到的意见要认真梳理,能马上解决的立即解决,一时解决不了的要向群众说明情况,限期解决,做到事事有回音.</p>
<p>　　倾听群众呼声、解决群众难题,是践行群众路线的具体体现,也是密切党群干群关系的有效途径.</p>
</div>
<div class="side"><h3>热门文章</h3><ul><li><a href="/a1">深入基层接地气</a></li><li><a href="/a2">作风建设永远在路上</a></li></ul></div>
<div class="footer"><p>关于我们 | 联系方式 | 网站地图</p><p>Copyright &copy; 2014 某某新闻网 版权所有 ICP备12345678号</p></div>
</body></html>
""")

# 6. A Q&A site: the question as title, the best answer, chatty remarks, 为您推荐.
DOCS["qa_answer.txt"] = ("utf-8-sig", "\n", """百度知道 > 社会民生 > 政策法规
什么是群众路线？群众路线的基本内容是什么？
2013-11-20 提问者：匿名用户
最佳答案
群众路线是我们党的根本工作路线,就是一切为了群众,一切依靠群众,从群众中来,到群众中去.
1、一切为了群众.这是党的根本宗旨的体现,要求全心全意为人民服务,把群众利益放在第一位.
2、一切依靠群众.人民群众是历史的创造者,党的一切工作都要依靠群众的智慧和力量来完成.
3、从群众中来,到群众中去.这是党的领导方法和工作方法,要把群众的意见集中起来,再到群众中去贯彻执行.
希望对你有帮助,望采纳！
谢谢楼主,很有用吧？
为您推荐
群众路线教育实践活动的主要内容
党的群众路线是什么时候提出的
""")

# 7. A speech copied out of a PDF: hard-wrapped lines, full-width indentation marks
#    paragraphs, 第一部分, ● bullets, 一是/二是 and 首先/其次 run-in heads.
DOCS["speech_pdf.txt"] = ("utf-8", "\n", """在全县党的群众路线教育实践活动动员大会上的讲话
（2014年2月18日）
同志们：
　　今天召开全县党的群众路线教育实践活动动员大会，主要任务是
深入学习贯彻中央和省委、市委的部署要求，对全县开展教育实践活动
进行动员部署。下面，我讲三点意见。
第一部分　充分认识开展教育实践活动的重大意义
　　开展党的群众路线教育实践活动，是党中央作出的重大决策。我们
要从全局和战略的高度，充分认识这次活动的重要性和紧迫性。
　　一是保持党的先进性和纯洁性的需要。我们党来自人民、植根人民、
服务人民，一旦脱离群众，就会失去生命力。
　　二是解决群众反映强烈的突出问题的需要。当前，一些干部作风不实，
群众意见较大，必须下大力气解决。
第二部分　准确把握教育实践活动的目标要求
●　把握总要求
　　照镜子、正衣冠、洗洗澡、治治病，是这次活动的总要求，要贯穿
活动始终。
●　突出重点
　　首先，要聚焦“四风”问题，把形式主义、官僚主义、享乐主义和奢靡之风
作为整治的重点。
　　其次，要解决群众身边的问题，让群众切实感受到活动带来的变化。
- 2 -
　　同志们，开展好这次教育实践活动，任务艰巨，责任重大。让我们
以更加扎实的作风，把活动抓好抓实，向全县人民交出满意的答卷！
""")

# 8. A county government portal: banner, 字号/打印/关闭 widgets, 发布日期 and
#    信息来源, 一、 and （一） heads on their own lines, long footer.
DOCS["gov_notice.txt"] = ("gb18030", "\r\n", """某某县人民政府门户网站
字号：大 中 小　　打印本页　　关闭窗口
关于深入开展“走基层、访民情、办实事”活动的通知
发布日期：2014-03-05　信息来源：县委组织部　浏览次数：356
各乡镇党委,县直各单位党组织：
　　为深入开展党的群众路线教育实践活动,推动党员干部深入基层、服务群众,经研究,决定在全县开展“走基层、访民情、办实事”活动.现将有关事项通知如下：
一、活动内容
（一）走基层.县级领导每人联系一个乡镇,每月到联系点调研不少于两天,与基层干部群众同吃同住同劳动.
（二）访民情.每名党员干部联系不少于五户群众,逐户走访,建立民情台账,详细记录群众的困难和诉求.
（三）办实事.对走访中收集的问题,能解决的当场解决,不能当场解决的限期办理,并及时向群众反馈办理结果.
二、工作要求
各单位要高度重视,主要负责同志要亲自抓,确保活动取得实效.活动情况将纳入年度考核内容.
中共某某县委组织部
2014年3月5日
主办：某某县人民政府办公室　承办：某某县信息中心
地址：某某县人民路1号　邮编：123456　电话：0123-1234567
网站标识码：1234567890　某ICP备12345678号
""")

# 9. A WeChat public-account article: follow prompts, ■ heads, counters at the end.
DOCS["wechat_article.txt"] = ("utf-16-le", "\n", """原创 周明 基层党建之声 2014-05-10
点击上方蓝字关注我们
做群众的贴心人
在基层工作多年,我最大的体会是:只有把群众当亲人,群众才会把你当自家人.
■ 多走一步路
群众有事找到村里,我们不能坐等,要主动上门.多走一步路,群众就少跑一趟腿,这份情群众记在心里.
■ 多说一句话
群众来办事,有时候说不清楚,我们要耐心听、细心问,多说一句暖心话,少一点冷言冷语.
■ 多办一件事
说一千道一万,不如实实在在办一件事.群众的困难解决了,干群关系自然就近了.
长按二维码关注我们
阅读原文
阅读 1万+　在看 56
喜欢此内容的人还喜欢
""")


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, (encoding, newline, text) in DOCS.items():
        data = text.lstrip("\n").replace("\n", newline).encode(encoding)
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
