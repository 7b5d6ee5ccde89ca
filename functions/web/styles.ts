/**
 * The whole stylesheet, inlined in every page: one round trip less on a slow county network, and
 * at about 5 KB it costs less than a second request would. Two widths matter: the office's
 * 1366×768 screen and a clerk's phone; below 700px rows stack, the phase timeline becomes a list and
 * every wide table (in `.scroll`) says it scrolls sideways.
 */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC","Source Han Sans SC",sans-serif;color:#1f2933;background:#f3f5f7}
a{color:#0b57d0}
header.top{background:#8b1a1a;color:#fff;padding:.4rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.3rem 1rem}
header.top .brand{font-weight:700;font-size:1.1rem;color:#fff;text-decoration:none;margin-right:.5rem}
header.top nav{display:flex;flex-wrap:wrap;gap:.2rem}
header.top nav a{color:#fde;text-decoration:none;padding:.25rem .6rem;border-radius:4px}
header.top nav a.on,header.top nav a:hover{background:#fff2;color:#fff}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:.5rem;font-size:.9rem}
header.top .who button{background:none;border:1px solid #fff8;color:#fff;padding:.1rem .6rem}
main{max-width:1300px;margin:0 auto;padding:.8rem 1rem 3rem}
h1{font-size:1.35rem;margin:.4rem 0 .6rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem;border-left:4px solid #8b1a1a;padding-left:.5rem}
.card{background:#fff;border:1px solid #dde3e8;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0}
.muted,small{color:#5f6b76}
.flash{padding:.6rem 1rem;border-radius:6px;margin:.5rem 0}
.flash.ok{background:#e6f4ea;border:1px solid #9ccfa8}
.flash.err{background:#fdecea;border:1px solid #f1a9a0}
.quick{background:#f3f8fc;border:1px solid #b9d3ea;border-radius:6px;padding:.6rem .8rem;margin:0 0 1rem}
.err-msg{color:#b3261e;font-size:.88rem;margin:.15rem 0}
.f{display:block;font-weight:600;margin:.7rem 0 .2rem}
input[type=text],input[type=date],input[type=time],input[type=search],select,textarea{font:inherit;padding:.35rem .5rem;border:1px solid #b8c2cc;border-radius:4px;background:#fff;max-width:100%}
input[type=text],textarea{width:100%}
textarea{min-height:4.5rem}
.invalid{border-color:#b3261e!important;background:#fff8f7!important}
button{font:inherit;cursor:pointer;padding:.35rem .9rem;border-radius:4px;border:1px solid #8b1a1a;background:#8b1a1a;color:#fff}
button.light,a.btn{background:#fff;color:#8b1a1a}
a.btn{display:inline-block;border:1px solid #8b1a1a;border-radius:4px;padding:.1rem .6rem;text-decoration:none;white-space:nowrap;font-size:.9rem}
button.ok{background:#1e7e34;border-color:#1e7e34}
.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.badge{display:inline-block;font-size:.8rem;padding:0 .45rem;border-radius:9px;background:#e8ecef;white-space:nowrap}
.b-red{background:#c62828;color:#fff}.b-yellow{background:#f9a825;color:#1f2933}.b-green{background:#2e7d32;color:#fff}.b-blue{background:#1565c0;color:#fff}
.scroll{overflow-x:auto}
.phase-list{display:none;list-style:none;margin:0;padding:0}
.phase-list>li{padding:.35rem 0;border-bottom:1px solid #eef1f4}
.phase-list>li.today{color:#c62828;font-weight:600;border-bottom:2px dashed #c62828}
.phase-list .late{color:#c62828}
.scroll svg{min-width:760px}
.scroll table{min-width:40rem}
#uf{width:100%;max-width:26rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e8ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600;white-space:nowrap}
.units{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #dde3e8;border-radius:6px}
.units li{display:grid;grid-template-columns:1.4rem minmax(9rem,15rem) 1fr minmax(12rem,auto);gap:.6rem;align-items:center;padding:.3rem .7rem;border-bottom:1px solid #eef1f4}
.units svg.bar{width:100%;height:16px;display:block}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem;margin:.3rem 0}
.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;vertical-align:-1px;margin-right:.25rem}
.tree{max-height:24rem;overflow-y:auto;border:1px solid #dde3e8;border-radius:4px;background:#fff;padding:.2rem .5rem}
.tree div{padding:.12rem 0;display:flex;gap:.6rem;align-items:center}
.tree label{white-space:nowrap}
.tree [hidden]{display:none}
.duty{border-left:4px solid #9aa5b1}
.duty.overdue{border-left-color:#c62828}.duty.near{border-left-color:#f9a825}
.duty h3{font-size:1rem;margin:0 0 .2rem}
.evidence{margin:.3rem 0;padding-left:1.2rem}
.fold>summary{display:inline-block;cursor:pointer;border:1px solid #8b1a1a;color:#8b1a1a;background:#fff;border-radius:4px;padding:.3rem .9rem}
.fold[open]>summary{margin-bottom:.3rem}
header.top nav .nb{display:inline-block;margin-left:.3rem;padding:0 .4rem;border-radius:9px;background:#fff;color:#8b1a1a;font-size:.8rem;font-weight:600}
.actions{align-items:flex-start}
.actions>form{flex:1 1 22rem}
.reason{flex:1 1 20rem;display:block}
.reason textarea{display:block;margin-top:.2rem}
.fold.accept>summary{border-color:#1e7e34;color:#1e7e34}
.tabs a{padding:.2rem .8rem;border:1px solid #b8c2cc;border-radius:4px;text-decoration:none;background:#fff}
.tabs a.on{background:#8b1a1a;color:#fff;border-color:#8b1a1a}
.returned{border:2px solid #c62828;background:#fdecea}
.kept>li{border-bottom:1px dashed #dde3e8;padding:.2rem 0}
.kept>li>span{flex:1 1 14rem}
fieldset{min-width:0}
.plain{list-style:none;margin:.3rem 0;padding:0}
.plain>li.row{padding:.15rem 0}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:.4rem 1rem}
.users{display:flex;flex-wrap:wrap;gap:.4rem}
.users button{background:#fff;color:#1f2933;border-color:#b8c2cc}
.users button:hover{border-color:#8b1a1a}
@media (max-width:700px){
main{padding:.5rem .6rem 2rem}
.units li{grid-template-columns:1.4rem 1fr;gap:.2rem .5rem}
.units li>svg.bar,.units li>.nums{grid-column:1/-1}
.grid2{grid-template-columns:1fr}
th,td{padding:.3rem}
svg.gantt{display:none}
.phase-list{display:block}
.scroll:has(>table)::before{content:"表格较宽,可左右滑动查看 →";display:block;position:sticky;left:0;font-size:.8rem;color:#5f6b76;padding:.1rem .2rem}
}
`
  .replace(/\n/g, '')
  .trim();
