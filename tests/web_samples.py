"""A saved web page as an organiser would upload it, shared by the workbench's tests
(the Flask client's and the browser's): a site's navigation and footer around an
article with two headed sections."""

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>关于改进调查研究的通知</title></head><body><nav>首页 | 新闻 | 联系我们</nav>
<article><h1>关于改进调查研究的通知</h1>
<h2>一、深入基层</h2><p>调查研究是谋事之基、成事之道。领导干部要沉下身子，到群众中去，
听真话、察实情，把情况摸清楚、把问题找准确。没有调查就没有发言权。</p>
<h2>二、解决问题</h2><p>调查研究的目的在于解决问题。要把调研成果转化为推动工作的实际举措，
对群众反映强烈的急难愁盼问题，逐项列出清单，明确责任和时限，做到件件有着落。</p>
</article><footer>版权所有 © 2026</footer></body></html>"""
