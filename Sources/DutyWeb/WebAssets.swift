import DutyCalendar
import DutyCore
import DutyQueries

/// The stylesheet, served from the binary: readable at 360 px, contrast AA, a print layout.
enum WebAssets {
    static let css = """
        :root { color-scheme: light; font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
        body { margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
        header { background: #8c1c13; color: #fff; padding: .5rem 1rem; }
        header .brand { margin: 0; font-weight: 600; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0; }
        h2 { font-size: 1.1rem; margin: .25rem 0; }
        a { color: #0b4f8a; }
        a:focus, button:focus, input:focus { outline: 3px solid #f2a900; outline-offset: 2px; }
        .message { background: #e8f3e8; border-left: 4px solid #256b25; padding: .5rem; }
        ul.duties { list-style: none; padding: 0; }
        li.duty { border: 1px solid #bbb; border-left-width: 8px; padding: .5rem .75rem; margin: .75rem 0; }
        li.red { border-left-color: #b00020; } li.yellow { border-left-color: #b36b00; }
        li.blue { border-left-color: #0b4f8a; } li.done { border-left-color: #4d4d4d; }
        .state { font-weight: 700; }
        li.red .state { color: #b00020; } li.yellow .state { color: #8a5200; } li.blue .state { color: #0b4f8a; }
        .provisional, .extended, .receipt { color: #4d4d4d; }
        .actions form { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: center; margin: .4rem 0; }
        input { font: inherit; padding: .2rem; border: 1px solid #767676; }
        button { font: inherit; padding: .25rem .75rem; background: #0b4f8a; color: #fff; border: 0; cursor: pointer; }
        pre { white-space: pre-wrap; background: #f5f5f5; padding: .5rem; font-size: .9rem; }
        table.board { border-collapse: collapse; width: 100%; margin: .5rem 0; }
        table.board th, table.board td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: right; }
        table.board th[scope=row], table.board thead th:first-child { text-align: left; }
        table.board tr.red th[scope=row] { border-left: 6px solid #b00020; }
        table.board tr.yellow th[scope=row] { border-left: 6px solid #b36b00; }
        table.board tr.blue th[scope=row] { border-left: 6px solid #0b4f8a; }
        .red-word { color: #b00020; font-weight: 700; } .yellow-word { color: #8a5200; font-weight: 700; }
        figure { margin: .5rem 0; } figcaption { font-weight: 600; }
        .request { border: 1px solid #bbb; padding: .5rem; margin: .5rem 0; }
        button.deny { background: #5c5c5c; }
        .wide { overflow-x: auto; }
        @media (max-width: 480px) { main { padding: .5rem; } h1 { font-size: 1.25rem; } }
        @media print {
          header, .actions, .noprint, form { display: none; }
          li.duty, tr { break-inside: avoid; }
          body { font-size: 11pt; } a { color: inherit; text-decoration: none; }
          table.board th, table.board td { border-color: #000; }
        }

        """
}
