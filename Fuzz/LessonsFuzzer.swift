// libFuzzer entry point for the lesson reader: any text must give a Lesson or a LessonError, and a lesson that
// parses must survive LessonChecker (every step's computation, under the budget) without a crash, an exit, a hang,
// a memory error or more memory than the budget (the build adds AddressSanitizer; the run limits RSS to 1100 MB).
// Compiled into the Lessons module by tools/fuzz-lessons.sh; not part of the package.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLessonReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self),
          let lesson = try? LessonParser.parse(text, file: "fuzz.toml") else { return 0 }
    // Image paths resolve against no folder; a relative one is then taken from the current folder.
    _ = LessonChecker.problems(in: lesson, lessonFolder: nil)
    return 0
}
