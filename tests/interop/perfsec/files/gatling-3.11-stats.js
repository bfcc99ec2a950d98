var stats = {
    type: "GROUP",
name: "All Requests",
path: "",
pathFormatted: "group_missing-name--1146707516",
stats: {
    "name": "All Requests",
    "numberOfRequests": {
        "total": "1200",
        "ok": "1188",
        "ko": "12"
    },
    "minResponseTime": {
        "total": "35",
        "ok": "35",
        "ko": "35"
    },
    "maxResponseTime": {
        "total": "4210",
        "ok": "4210",
        "ko": "4210"
    },
    "meanResponseTime": {
        "total": "402",
        "ok": "402",
        "ko": "402"
    },
    "standardDeviation": {
        "total": "380",
        "ok": "380",
        "ko": "0"
    },
    "percentiles1": {
        "total": "310",
        "ok": "310",
        "ko": "310"
    },
    "percentiles2": {
        "total": "520",
        "ok": "520",
        "ko": "520"
    },
    "percentiles3": {
        "total": "1240",
        "ok": "1240",
        "ko": "1240"
    },
    "percentiles4": {
        "total": "2980",
        "ok": "2980",
        "ko": "2980"
    },
    "group1": {
        "name": "t < 800 ms",
        "htmlName": "t < 800 ms",
        "count": 1178,
        "percentage": 90
    },
    "group2": {
        "name": "800 ms <= t < 1200 ms",
        "htmlName": "t >= 800 ms <br> t < 1200 ms",
        "count": 6,
        "percentage": 6
    },
    "group3": {
        "name": "t >= 1200 ms",
        "htmlName": "t >= 1200 ms",
        "count": 4,
        "percentage": 4
    },
    "group4": {
        "name": "failed",
        "htmlName": "failed",
        "count": 12,
        "percentage": 0
    },
    "meanNumberOfRequestsPerSecond": {
        "total": "19.67",
        "ok": "19.67",
        "ko": "0.02"
    }
},
contents: {
"group_paiement-9f8e7": {
          type: "GROUP",
name: "Paiement",
path: "Paiement",
pathFormatted: "group_paiement-9f8e7",
stats: {
    "name": "Paiement",
    "numberOfRequests": {
        "total": "600",
        "ok": "588",
        "ko": "12"
    },
    "minResponseTime": {
        "total": "120",
        "ok": "120",
        "ko": "120"
    },
    "maxResponseTime": {
        "total": "4210",
        "ok": "4210",
        "ko": "4210"
    },
    "meanResponseTime": {
        "total": "624",
        "ok": "624",
        "ko": "624"
    },
    "standardDeviation": {
        "total": "512",
        "ok": "512",
        "ko": "0"
    },
    "percentiles1": {
        "total": "540",
        "ok": "540",
        "ko": "540"
    },
    "percentiles2": {
        "total": "810",
        "ok": "810",
        "ko": "810"
    },
    "percentiles3": {
        "total": "1980",
        "ok": "1980",
        "ko": "1980"
    },
    "percentiles4": {
        "total": "3610",
        "ok": "3610",
        "ko": "3610"
    },
    "group1": {
        "name": "t < 800 ms",
        "htmlName": "t < 800 ms",
        "count": 578,
        "percentage": 90
    },
    "group2": {
        "name": "800 ms <= t < 1200 ms",
        "htmlName": "t >= 800 ms <br> t < 1200 ms",
        "count": 6,
        "percentage": 6
    },
    "group3": {
        "name": "t >= 1200 ms",
        "htmlName": "t >= 1200 ms",
        "count": 4,
        "percentage": 4
    },
    "group4": {
        "name": "failed",
        "htmlName": "failed",
        "count": 12,
        "percentage": 0
    },
    "meanNumberOfRequestsPerSecond": {
        "total": "9.84",
        "ok": "9.84",
        "ko": "0.02"
    }
},
contents: {
"req_paiement---vali-4c5d6": {
        type: "REQUEST",
        name: "Valider le panier",
path: "Paiement / Valider le panier",
pathFormatted: "req_paiement---vali-4c5d6",
stats: {
    "name": "Valider le panier",
    "numberOfRequests": {
        "total": "600",
        "ok": "588",
        "ko": "12"
    },
    "minResponseTime": {
        "total": "120",
        "ok": "120",
        "ko": "120"
    },
    "maxResponseTime": {
        "total": "4210",
        "ok": "4210",
        "ko": "4210"
    },
    "meanResponseTime": {
        "total": "624",
        "ok": "624",
        "ko": "624"
    },
    "standardDeviation": {
        "total": "512",
        "ok": "512",
        "ko": "0"
    },
    "percentiles1": {
        "total": "540",
        "ok": "540",
        "ko": "540"
    },
    "percentiles2": {
        "total": "810",
        "ok": "810",
        "ko": "810"
    },
    "percentiles3": {
        "total": "1980",
        "ok": "1980",
        "ko": "1980"
    },
    "percentiles4": {
        "total": "3610",
        "ok": "3610",
        "ko": "3610"
    },
    "group1": {
        "name": "t < 800 ms",
        "htmlName": "t < 800 ms",
        "count": 578,
        "percentage": 90
    },
    "group2": {
        "name": "800 ms <= t < 1200 ms",
        "htmlName": "t >= 800 ms <br> t < 1200 ms",
        "count": 6,
        "percentage": 6
    },
    "group3": {
        "name": "t >= 1200 ms",
        "htmlName": "t >= 1200 ms",
        "count": 4,
        "percentage": 4
    },
    "group4": {
        "name": "failed",
        "htmlName": "failed",
        "count": 12,
        "percentage": 0
    },
    "meanNumberOfRequestsPerSecond": {
        "total": "9.84",
        "ok": "9.84",
        "ko": "0.02"
    }
}
    }
}

     },"req_accueil-1a2b3": {
        type: "REQUEST",
        name: "Accueil",
path: "Accueil",
pathFormatted: "req_accueil-1a2b3",
stats: {
    "name": "Accueil",
    "numberOfRequests": {
        "total": "600",
        "ok": "600",
        "ko": "0"
    },
    "minResponseTime": {
        "total": "35",
        "ok": "35",
        "ko": "-"
    },
    "maxResponseTime": {
        "total": "890",
        "ok": "890",
        "ko": "-"
    },
    "meanResponseTime": {
        "total": "180",
        "ok": "180",
        "ko": "-"
    },
    "standardDeviation": {
        "total": "95",
        "ok": "95",
        "ko": "-"
    },
    "percentiles1": {
        "total": "160",
        "ok": "160",
        "ko": "-"
    },
    "percentiles2": {
        "total": "220",
        "ok": "220",
        "ko": "-"
    },
    "percentiles3": {
        "total": "390",
        "ok": "390",
        "ko": "-"
    },
    "percentiles4": {
        "total": "610",
        "ok": "610",
        "ko": "-"
    },
    "group1": {
        "name": "t < 800 ms",
        "htmlName": "t < 800 ms",
        "count": 590,
        "percentage": 90
    },
    "group2": {
        "name": "800 ms <= t < 1200 ms",
        "htmlName": "t >= 800 ms <br> t < 1200 ms",
        "count": 6,
        "percentage": 6
    },
    "group3": {
        "name": "t >= 1200 ms",
        "htmlName": "t >= 1200 ms",
        "count": 4,
        "percentage": 4
    },
    "group4": {
        "name": "failed",
        "htmlName": "failed",
        "count": 0,
        "percentage": 0
    },
    "meanNumberOfRequestsPerSecond": {
        "total": "9.84",
        "ok": "9.84",
        "ko": "-"
    }
}
    }
}

}

function fillStats(stat){
    $("#numberOfRequests").append(stat.numberOfRequests.total);
    $("#meanResponseTime").append(stat.meanResponseTime.total);
    $("#percentiles3").append(stat.percentiles3.total);
}
