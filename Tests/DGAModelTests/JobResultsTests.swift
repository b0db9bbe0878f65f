import DGAModel
import Foundation
import Testing

/// Work spread over threads keeps each job's value in its slot and surfaces a job's own error.
@Suite struct JobResultsTests {
    private struct Failure: Error, Equatable { let job: Int }

    @Test func valuesComeBackInJobOrderFromManyThreads() throws {
        let results = JobResults<Int>(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { job in results.run(job) { job * job } }
        #expect(try results.values() == (0..<64).map { $0 * $0 })
    }

    @Test func aFailedJobThrowsItsOwnErrorAndTheOthersKeepTheirValues() throws {
        let results = JobResults<String>(count: 3)
        DispatchQueue.concurrentPerform(iterations: 3) { job in
            results.run(job) {
                if job == 1 { throw Failure(job: job) }
                return "job \(job)"
            }
        }
        #expect(throws: Failure(job: 1)) { try results.values() }
        #expect(try results.value(0) == "job 0")
        #expect(try results.value(2) == "job 2")
    }

    @Test func readingAJobThatNeverRanNamesIt() {
        let results = JobResults<Int>(count: 2)
        results.run(0) { 7 }
        #expect(throws: JobResultsError.notRun(job: 1, of: 2)) { try results.values() }
        #expect(JobResultsError.notRun(job: 1, of: 2).description == "job 2 of 2 stored no result (it did not run)")
    }
}
